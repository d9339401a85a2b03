#!/usr/bin/env bash
# Side-by-side model benchmark: Detector and the PyTorch reference (../shared/bench/torch_reference.py), in one run on
# this machine, then docs/benchmarks.md with the ratios. Needs python3-torch (make bench installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
shared="${SHARED:-../shared}"
mkdir -p out
./detector bench models "$@" | tee out/bench-detector.jsonl
/usr/bin/python3 "$shared/bench/torch_reference.py" | tee out/bench-torch.jsonl
/usr/bin/python3 scripts/bench-table.py out/bench-detector.jsonl out/bench-torch.jsonl > docs/benchmarks.md
echo "wrote docs/benchmarks.md" >&2
