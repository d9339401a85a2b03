#!/usr/bin/env bash
# Side-by-side benchmarks on this machine, in one go: Detector's model engine and the PyTorch reference
# (../shared/bench/torch_reference.py) and LibTorch 2.10 in-process (bench models --engine Torch), then Detector's pipeline and Kafka cases; rewrites the tables of docs/benchmarks.md (the regions between its bench-table markers), keeping the notes around them.
# Needs python3-torch (make bench installs it). Extra arguments go to `detector bench models`.
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED:-../shared}"
mkdir -p out
./detector bench models "$@" | tee out/bench-detector.jsonl
./detector bench models --engine Torch "$@" | tee out/bench-torchsharp.jsonl
/usr/bin/python3 "$shared/bench/torch_reference.py" | tee out/bench-torch.jsonl
./detector bench pipeline | tee out/bench-pipeline.jsonl
./detector bench kafka --reference "$shared/bench/python_e2e.py" | tee out/bench-kafka.jsonl
/usr/bin/python3 scripts/bench-table.py out/bench-detector.jsonl out/bench-torch.jsonl out/bench-pipeline.jsonl out/bench-kafka.jsonl --torchsharp out/bench-torchsharp.jsonl --into docs/benchmarks.md
echo "updated the tables of docs/benchmarks.md" >&2
