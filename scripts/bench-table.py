#!/usr/bin/python3
"""Markdown tables of the benchmarks: `detector bench models` against LibTorch 2.10 in-process (`--engine Torch`, the
torchsharp lines) and against the Python PyTorch reference (best torch configuration per case); then the pipeline and
Kafka benchmarks. Usage: bench-table.py DETECTOR TORCH_PY [PIPELINE [KAFKA]] [--torchsharp FILE] [--into DOC]

Without --into the tables are printed as a whole document. With --into, each table (and the paragraph before it)
replaces only the region of DOC between its markers, <!-- bench-table:NAME --> and <!-- /bench-table:NAME --> (NAME
models, pipeline, kafka), so the measurements and analyses written around them are kept; a missing marker stops it with
the marker's name and DOC unchanged."""
import json, platform, subprocess, sys, datetime

args = sys.argv[1:]
def option(name):
    if name not in args:
        return None
    i = args.index(name)
    value = args[i + 1]
    del args[i:i + 2]
    return value

torchsharp_file = option("--torchsharp")
into = option("--into")
sys.argv = sys.argv[:1] + args
blocks = {}  # marker name -> (heading, lines)

def block(name, heading):
    lines_ = []
    blocks[name] = (heading, lines_)
    return lines_.append

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
emit = block("models", "# Model engine benchmarks\n")
emit(f"Machine: {cpu}, {subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores; "
      f"{datetime.date.today().isoformat()}. Command: `make bench` (runs `scripts/bench-models.sh`: "
      "`./detector bench models`, `./detector bench models --engine Torch`, then "
      "`/usr/bin/python3 ../shared/bench/torch_reference.py`, in one go).\n")
emit("Detector at T threads: inference runs T scorers, each on its own batches (how model actors run); training splits every "
      "step into T data-parallel shards. PyTorch: the best of its configurations for that thread count (torch threads 1 or T, "
      "OpenBLAS T). Records/s, median of 5 samples of >= 0.5 s each.\n")
emit("Beside each native figure: LibTorch 2.10 in-process through TorchSharp (`./detector bench models --engine Torch`, "
      "the same cases and threading, one intra-op thread per scorer) and Python's PyTorch 1.13.\n")
emit("| model | mode | batch | threads | detector rec/s | libtorch 2.10 rec/s | ratio | target | pytorch 1.13 rec/s | ratio | target |")
emit("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
for r in ours:
    key = (r["model"], r["mode"], r["batch"], r["threads"])
    t = best.get(key)
    lt = libtorch.get(key)
    lt_ratio, lt_goal = cell(r["records_per_s"] / lt["records_per_s"] if lt else None, libtorch_target(*key) if lt else None)
    py_ratio, py_goal = cell(r["records_per_s"] / t["records_per_s"] if t else None, pytorch_target(*key) if t else None)
    emit(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {r['records_per_s']:,.0f} | "
          f"{lt['records_per_s'] if lt else 'n/a':{',.0f' if lt else ''}} | {lt_ratio} | {lt_goal} | "
          f"{t['records_per_s'] if t else 'n/a':{',.0f' if t else ''}} | {py_ratio} | {py_goal} |")

if len(sys.argv) > 3:
    pipe = lines(sys.argv[3])
    emit = block("pipeline", "## Pipeline (`./detector bench pipeline`)\n")
    emit("In-process pipeline with the ae30 model: synthetic rows → batch (256) → route → model actors (one thread each) → "
          "thresholds → alerts → acknowledgement, against the model's own batch-256 scoring on as many threads, measured in "
          "the same run (the pipeline's records are timed after 3M untimed ones through the same pipeline: its steady state); "
          "then the source-to-decision latency with the source paced at half the measured maximum. Run with a model actor on "
          "every core, then on every core but one, which leaves the stream's own stages (source, thresholds, sinks) a core.\n")
    emit("| case | records/s | ratio to model | target | p50 ms | p99 ms | target |")
    emit("|---|---:|---:|---:|---:|---:|---:|")
    def count(n, noun):
        return f"{n} {noun}{'s' if n != 1 else ''}"
    for r in pipe:
        actors = count(r['threads'], "model actor")
        if r["case"] == "model":
            emit(f"| model alone (batch 256, {count(r['threads'], 'thread')}) | {r['records_per_s']:,.0f} | 1.00 | | | | |")
        elif r["case"] == "pipeline":
            met = "yes" if r["ratio_to_model"] >= 0.7 else "**no**"
            cores = f" on {r['cores']} cores" if "cores" in r else ""
            emit(f"| pipeline, {actors}{cores} | {r['records_per_s']:,.0f} | {r['ratio_to_model']:.2f} | >= 0.70 ({met}) | | | |")
        elif r["case"] == "latency":
            met = "yes" if r["p99_ms"] <= 20 else "**no**"
            emit(f"| latency at {r['rate']:,.0f} rec/s, {actors} | | | | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | <= 20 ms ({met}) |")

if len(sys.argv) > 4:
    kafka = {r["case"] if r.get("impl") == "detector" else "python": r
             for r in lines(sys.argv[4])}
    emit = block("kafka", "## Kafka (`./detector bench kafka`)\n")
    emit("One mock Kafka cluster (librdkafka's, 3 brokers, in the benchmark process) holding the same card records (JSON, "
          f"{kafka['load']['partitions']} partitions), read by each case from the beginning in one run: the Confluent.Kafka "
          "consumer alone with the node's settings (the client's ceiling), the node's Kafka source alone, the node's pipeline "
          "from memory (no broker), one node end to end (Kafka → decode → score → thresholds → alerts topic, offsets committed "
          "after delivery), and ../shared/bench/python_e2e.py (confluent-kafka + PyTorch, 1 thread) on the same topic. "
          "The pipeline cases (and source-only) print their first pass as cold (the JIT compiling the record path), then "
          "repeat until a pass compiles fewer than 10 methods and print the best of three timed passes: the steady state of a "
          "running node, on which the targets are judged. The reference's PyTorch is warm when it starts timing (it has just "
          "trained).\n")
    emit("| case | records/s | ratio | target |")
    emit("|---|---:|---:|---:|")
    e2e = kafka["end-to-end"]["records_per_s"]
    consume = kafka["consume-only"]["records_per_s"]
    for case in ["consume-only", "source-only", "pipeline-from-memory-cold", "pipeline-from-memory", "end-to-end-cold"]:
        if case in kafka:
            ratio = f"{kafka[case]['records_per_s'] / consume:.2f} of consume-only" if case.startswith("end-to-end") else ""
            emit(f"| {case} | {kafka[case]['records_per_s']:,.0f} | {ratio} | |")
    met = "yes" if e2e >= 0.5 * consume else "**no**"
    emit(f"| end-to-end, one node | {e2e:,.0f} | {e2e / consume:.2f} of consume-only | >= 0.50 ({met}) |")
    if "end-to-end-paired" in kafka:
        paired = kafka["end-to-end-paired"]
        median = paired["median_ratio_to_consume_only"]
        met = "yes" if median >= 0.5 else "**no**"
        ratios = ", ".join(f"{r:.2f}" for r in paired["ratios"])
        emit(f"| end-to-end / consume-only side by side, {len(paired['ratios'])} alternating pairs ({ratios}) | | "
             f"median {median:.2f} | >= 0.50 ({met}) |")
    if "end-to-end-exactly-once" in kafka:
        eos = kafka["end-to-end-exactly-once"]["records_per_s"]
        met = "yes" if eos >= 0.7 * e2e else "**no**"
        emit(f"| end-to-end-exactly-once | {eos:,.0f} | {eos / e2e:.2f} of at-least-once | >= 0.7 ({met}) |")
    if "python" in kafka:
        py = kafka["python"]["records_per_s"]
        met = "yes" if e2e >= 3 * py else "**no**"
        emit(f"| python_e2e.py | {py:,.0f} | end-to-end is {e2e / py:.2f}x | >= 3x ({met}) |")

if into is None:
    print("\n\n".join(heading + "\n" + "\n".join(body) for heading, body in blocks.values()))
else:
    doc = open(into).read()
    for name, (_, body) in blocks.items():
        start, end = f"<!-- bench-table:{name} -->", f"<!-- /bench-table:{name} -->"
        if doc.count(start) != 1 or doc.count(end) != 1 or doc.index(start) > doc.index(end):
            sys.exit(f"bench-table: {into} needs one {start} ... {end} region for the {name} table; {into} left unchanged")
        doc = doc[:doc.index(start) + len(start)] + "\n" + "\n".join(body).strip("\n") + "\n" + doc[doc.index(end):]
    open(into, "w").write(doc)
