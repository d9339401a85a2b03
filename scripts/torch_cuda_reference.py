#!/usr/bin/env python3
"""PyTorch CUDA reference for `detector bench models --device cuda:N`: the same cases, the same JSON lines.

../shared/bench/torch_reference.py is CPU-only (it pins OpenBLAS threads and never moves a tensor to a GPU); this
script runs the same models (torch_models.py, found with --bench-dir) on a CUDA device:

  python3 torch_cuda_reference.py --bench-dir DIR [--device cuda:0] [--precision fp32|tf32|bf16]
      [--models ae30,vae30,ae2048] [--modes infer,train] [--batches 1,16,64,256,1024,4096]

Inference copies each batch host->device and the scores device->host (rows arrive in host memory in a streaming
detector, and Detector's kernels copy per call too); training keeps the data set on the device, as PyTorch users
do. Each figure is the median of 5 timed samples of >= 0.5 s, with torch.cuda.synchronize() around every sample.
Prints {"impl":"pytorch-cuda","precision":...,"model":...,"mode":...,"batch":...,"threads":1,"records_per_s":...};
without torch or without a CUDA device it prints one line saying so to stderr and exits 3.
"""
import argparse, json, os, statistics, sys, time

ap = argparse.ArgumentParser()
ap.add_argument("--bench-dir", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
ap.add_argument("--device", default="cuda:0")
ap.add_argument("--precision", default="fp32", choices=["fp32", "tf32", "bf16"])
ap.add_argument("--models", default="ae30,vae30,ae2048")
ap.add_argument("--modes", default="infer,train")
ap.add_argument("--batches", default="1,16,64,256,1024,4096")
args = ap.parse_args()

try:
    import torch
except ImportError as e:
    print(f"torch_cuda_reference: torch is not installed ({e})", file=sys.stderr)
    sys.exit(3)
if not torch.cuda.is_available():
    print(f"torch_cuda_reference: torch {torch.__version__} sees no CUDA device", file=sys.stderr)
    sys.exit(3)

sys.path.insert(0, os.path.abspath(args.bench_dir))
from torch_models import build, synthetic  # noqa: E402

device = torch.device(args.device)
torch.backends.cuda.matmul.allow_tf32 = args.precision == "tf32"
torch.backends.cudnn.allow_tf32 = args.precision == "tf32"
autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=args.precision == "bf16")
torch.manual_seed(0)


def emit(**row):
    print(json.dumps(dict(impl="pytorch-cuda", precision=args.precision, device=args.device, threads=1, **row)), flush=True)


def timed(fn, work):
    """records/s of fn(i), median of 5 samples each >= 0.5 s, the device synchronised around each sample."""
    for i in range(5):
        fn(i)
    torch.cuda.synchronize(device)
    n = 1
    while True:
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        torch.cuda.synchronize(device)
        dt = time.perf_counter() - t0
        if dt >= 0.5:
            break
        n = max(2 * n, int(n * 0.55 / max(dt, 1e-9)))
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for i in range(n):
            fn(i)
        torch.cuda.synchronize(device)
        samples.append(n * work / (time.perf_counter() - t0))
    return statistics.median(samples)


def infer(name):
    model, d = build(name)
    model.to(device).eval()
    rows = 65536 if d == 30 else 8192
    X = synthetic(rows, d, seed=1).pin_memory()
    for B in [int(b) for b in args.batches.split(",")]:
        nb = rows // B

        def step(i):
            k = i % nb
            with torch.inference_mode(), autocast:
                model.score(X[k * B:k * B + B].to(device, non_blocking=True)).float().cpu()

        emit(model=name, mode="infer", batch=B, records_per_s=round(timed(step, B)))


def train(name):
    model, d = build(name)
    model.to(device).train()
    N, B = (200_000 if d == 30 else 20_000), 256
    X = synthetic(N, d, seed=2).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    perm = torch.randperm(N, device=device)
    nb = N // B

    def step(i):
        k = i % nb
        if k == 0:
            perm.copy_(torch.randperm(N, device=device))
        xb = X[perm[k * B:(k + 1) * B]]
        opt.zero_grad(set_to_none=True)
        with autocast:
            loss = model.loss(xb)
        loss.backward()
        opt.step()

    emit(model=name, mode="train", batch=B, records_per_s=round(timed(step, B)))


for nm in args.models.split(","):
    for mode in args.modes.split(","):
        (infer if mode == "infer" else train)(nm)
