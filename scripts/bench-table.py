#!/usr/bin/python3
"""Markdown tables of the benchmarks: `detector bench models` against LibTorch 2.10 in-process (`--engine Torch`, the
torchsharp lines) and against the Python PyTorch reference (best torch configuration per case); then the pipeline and
Kafka benchmarks. Usage: bench-table.py DETECTOR TORCH_PY [PIPELINE [KAFKA]] [--torchsharp FILE]"""
import json, platform, subprocess, sys, datetime

args = sys.argv[1:]
torchsharp_file = None
if "--torchsharp" in args:
    i = args.index("--torchsharp")
    torchsharp_file = args[i + 1]
    del args[i:i + 2]
sys.argv = sys.argv[:1] + args

def lines(path):
    return [json.loads(l) for l in open(path) if l.startswith("{")]

ours = lines(sys.argv[1])
torch = lines(sys.argv[2])
libtorch = {(r["model"], r["mode"], r["batch"], r["threads"]): r for r in (lines(torchsharp_file) if torchsharp_file else [])}
best = {}
for r in torch:
    key = (r["model"], r["mode"], r["batch"], r["threads"])
    if key not in best or r["records_per_s"] > best[key]["records_per_s"]:
        best[key] = r

def target(model, mode, batch, batched):
    """The native engine's target over a reference: the same for ae2048, training and batch 1; `batched` gives the rest."""
    if model.endswith("2048"):
        return 0.9
    if mode == "train":
        return 3.0
    if batch == 1:
        return 20.0
    return batched

def pytorch_target(model, mode, batch, threads):
    """Over Python's PyTorch 1.13."""
    return target(model, mode, batch, 2.0 if batch >= 256 else None)

def libtorch_target(model, mode, batch, threads):
    """Issue 15's targets over LibTorch 2.10 in-process."""
    return target(model, mode, batch, (1.5 if threads == 1 else 2.0) if batch in (256, 1024) else None)

def cell(ratio, goal):
    met = "" if goal is None or ratio is None else (" yes" if ratio >= goal else " **no**")
    return f"{ratio:.2f}x" if ratio is not None else "n/a", "" if goal is None else f">= {goal}x{met}"

cpu = subprocess.run(["sh", "-c", "lscpu | grep 'Model name' | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
print("# Model engine benchmarks\n")
print(f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
      f"{datetime.date.today().isoformat()}. Command: `make bench` (runs `scripts/bench-models.sh`: "
      "`./detector bench models`, `./detector bench models --engine Torch`, then "
      "`/usr/bin/python3 ../shared/bench/torch_reference.py`, in one go).\n")
print("Detector at T threads: inference runs T scorers, each on its own batches (how model actors run); training splits every "
      "step into T data-parallel shards. PyTorch: the best of its configurations for that thread count (torch threads 1 or T, "
      "OpenBLAS T). Records/s, median of 5 samples of >= 0.5 s each.\n")
print("Beside each native figure: LibTorch 2.10 in-process through TorchSharp (`./detector bench models --engine Torch`, "
      "the same cases and threading, one intra-op thread per scorer) and Python's PyTorch 1.13.\n")
print("| model | mode | batch | threads | detector rec/s | libtorch 2.10 rec/s | ratio | target | pytorch 1.13 rec/s | ratio | target |")
print("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in ours:
    key = (r["model"], r["mode"], r["batch"], r["threads"])
    t = best.get(key)
    lt = libtorch.get(key)
    lt_ratio, lt_goal = cell(r["records_per_s"] / lt["records_per_s"] if lt else None, libtorch_target(*key) if lt else None)
    py_ratio, py_goal = cell(r["records_per_s"] / t["records_per_s"] if t else None, pytorch_target(*key) if t else None)
    print(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {r['records_per_s']:,.0f} | "
          f"{lt['records_per_s'] if lt else 'n/a':{',.0f' if lt else ''}} | {lt_ratio} | {lt_goal} | "
          f"{t['records_per_s'] if t else 'n/a':{',.0f' if t else ''}} | {py_ratio} | {py_goal} |")

if len(sys.argv) > 3:
    pipe = lines(sys.argv[3])
    print("\n## Pipeline (`./detector bench pipeline`)\n")
    print("In-process pipeline with the ae30 model: synthetic rows → batch (256) → route → model actors (one thread each) → "
          "thresholds → alerts → acknowledgement, against the model's own batch-256 scoring on the same threads, measured in "
          "the same run; then the source-to-decision latency with the source paced at half the measured maximum.\n")
    print("| case | records/s | ratio to model | target | p50 ms | p99 ms | target |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in pipe:
        if r["case"] == "model":
            print(f"| model alone (batch 256, {r['threads']} threads) | {r['records_per_s']:,.0f} | 1.00 | | | | |")
        elif r["case"] == "pipeline":
            met = "yes" if r["ratio_to_model"] >= 0.7 else "**no**"
            print(f"| pipeline | {r['records_per_s']:,.0f} | {r['ratio_to_model']:.2f} | >= 0.70 ({met}) | | | |")
        elif r["case"] == "latency":
            met = "yes" if r["p99_ms"] <= 20 else "**no**"
            print(f"| latency at {r['rate']:,.0f} rec/s | | | | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | <= 20 ms ({met}) |")

if len(sys.argv) > 4:
    kafka = {r["case"] if r.get("impl") == "detector" else "python": r
             for r in lines(sys.argv[4])}
    print("\n## Kafka (`./detector bench kafka`)\n")
    print("One mock Kafka cluster (librdkafka's, 3 brokers, in the benchmark process) holding the same card records (JSON, "
          f"{kafka['load']['partitions']} partitions), read by each case from the beginning in one run: the Confluent.Kafka "
          "consumer alone with the node's settings (the client's ceiling), the node's Kafka source alone, the node's pipeline "
          "from memory (no broker), one node end to end (Kafka → decode → score → thresholds → alerts topic, offsets committed "
          "after delivery), and ../shared/bench/python_e2e.py (confluent-kafka + PyTorch, 1 thread) on the same topic. "
          "The pipeline cases run twice: the first pass (cold) includes the JIT compiling the record path; the second is the "
          "steady state of a running node, and the targets are judged on it. The reference's PyTorch is warm when it starts "
          "timing (it has just trained).\n")
    print("| case | records/s | ratio | target |")
    print("|---|---:|---:|---:|")
    e2e = kafka["end-to-end"]["records_per_s"]
    consume = kafka["consume-only"]["records_per_s"]
    for case in ["consume-only", "source-only", "pipeline-from-memory-cold", "pipeline-from-memory", "end-to-end-cold"]:
        if case in kafka:
            ratio = f"{kafka[case]['records_per_s'] / consume:.2f} of consume-only" if case.startswith("end-to-end") else ""
            print(f"| {case} | {kafka[case]['records_per_s']:,.0f} | {ratio} | |")
    met = "yes" if e2e >= 0.5 * consume else "**no**"
    print(f"| end-to-end, one node | {e2e:,.0f} | {e2e / consume:.2f} of consume-only | >= 0.50 ({met}) |")
    if "python" in kafka:
        py = kafka["python"]["records_per_s"]
        met = "yes" if e2e >= 3 * py else "**no**"
        print(f"| python_e2e.py | {py:,.0f} | end-to-end is {e2e / py:.2f}x | >= 3x ({met}) |")
