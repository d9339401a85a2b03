#!/usr/bin/env bash
# The GPU benchmark, in two halves, because the GPU machine has no .NET SDK and no network:
#
#   scripts/gpu-bench.sh publish          here: a self-contained build of the node, OpenBLAS (for the CPU rows) and
#                                         the PyTorch scripts, packed into out/gpu.tgz (carry it: it stays < 64 MiB)
#   scripts/gpu-bench.sh run [WHAT]       on the GPU machine: unpacks out/gpu.tgz and runs WHAT (default all):
#                                         check     `detector gpu-check`: the CUDA backend against the oracle (kernels, AE/VAE scores and gradients)
#                                         detector  `detector bench models` on cuda:0 in FP32, TF32 and BF16, and on the CPU
#                                         torch     the PyTorch CUDA reference (scripts/torch_cuda_reference.py) in fp32, tf32, bf16
#                                         results go to $OUT (the device tool's output folder) or out/gpu-results
#
# Knobs (environment): MODELS (ae30,vae30,ae2048), MODES (infer,train), BATCHES (1,16,64,256,1024,4096), THREADS (1,2),
# SAMPLE (seconds per timed sample, 0.5), DEVICE (cuda:0), PYTHON (python3), SHARED (../shared, for publish).
# cuBLAS and NVRTC are looked up on the loader path and in DETECTOR_CUDA_LIBS; when unset, `run` points it at the
# CUDA wheels of the Python environment (nvidia/cublas/lib, nvidia/cuda_nvrtc/lib) if there are any.
set -euo pipefail
cd "$(dirname "$0")/.."

publish() {
  local shared="${SHARED:-../shared}"
  rm -rf out/gpu out/gpu.tgz
  dotnet publish Detector.Node/Detector.Node.csproj -c Release -r linux-x64 --self-contained -o out/gpu/app -nologo -v quiet -clp:ErrorsOnly
  mkdir -p out/gpu/bench out/gpu/lib
  cp "$shared/bench/torch_models.py" "$shared/bench/torch_reference.py" scripts/torch_cuda_reference.py out/gpu/bench/
  local blas
  for blas in /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so.0 /usr/lib/x86_64-linux-gnu/libgfortran.so.5 \
      /usr/lib/x86_64-linux-gnu/libquadmath.so.0; do
    if [ -e "$blas" ]; then cp -L "$blas" out/gpu/lib/; else echo "gpu-bench: $blas not found; the CPU rows need libopenblas0-pthread on the GPU machine" >&2; fi
  done
  tar czf out/gpu.tgz -C out gpu
  local bytes
  bytes=$(stat -c %s out/gpu.tgz)
  echo "gpu-bench: out/gpu.tgz is $((bytes / 1048576)) MiB; carry it and run: bash scripts/gpu-bench.sh run" >&2
  if [ "$bytes" -ge $((64 * 1048576)) ]; then echo "gpu-bench: over the 64 MiB carry limit" >&2; exit 1; fi
}

cuda_wheel_dirs() {
  "${PYTHON:-python3}" - <<'PY' 2>/dev/null || true
import importlib.util, os
dirs = []
for pkg in ("nvidia.cublas", "nvidia.cuda_nvrtc", "nvidia.cuda_runtime"):
    try:
        spec = importlib.util.find_spec(pkg)
    except ModuleNotFoundError:
        spec = None
    if spec and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            lib = os.path.join(root, "lib")
            if os.path.isdir(lib):
                dirs.append(lib)
print(":".join(dirs))
PY
}

run() {
  local what="${1:-all}" results="${OUT:-out/gpu-results}"
  mkdir -p "$results"
  [ -x out/gpu/app/detector ] || tar xzf out/gpu.tgz -C out
  nvidia-smi > "$results/nvidia-smi.txt" 2>&1 || echo "gpu-bench: nvidia-smi failed (no driver?)" >&2
  export DETECTOR_CUDA_LIBS="${DETECTOR_CUDA_LIBS:-$(cuda_wheel_dirs)}"
  export LD_LIBRARY_PATH="$PWD/out/gpu/lib${DETECTOR_CUDA_LIBS:+:$DETECTOR_CUDA_LIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  echo "gpu-bench: DETECTOR_CUDA_LIBS=$DETECTOR_CUDA_LIBS" >&2
  local app=out/gpu/app/detector device="${DEVICE:-cuda:0}"
  local common=(--models "${MODELS:-ae30,vae30,ae2048}" --modes "${MODES:-infer,train}" --batches "${BATCHES:-1,16,64,256,1024,4096}"
    --sample-seconds "${SAMPLE:-0.5}")
  if [ "$what" = all ] || [ "$what" = check ]; then
    out/gpu/app/detector gpu-check --device "${DEVICE:-cuda:0}" | tee "$results/gpu-check.jsonl" || echo "gpu-bench: gpu-check did not pass (see above)" >&2
  fi
  if [ "$what" = all ] || [ "$what" = detector ]; then
    local math
    for math in Fp32 Tf32 Bf16; do
      "$app" bench models --device "$device" --math "$math" --threads "${THREADS:-1,2}" "${common[@]}" | tee "$results/detector-${device//:/}-$math.jsonl" \
        || echo "gpu-bench: detector on $device ($math) failed (see above)" >&2
    done
    "$app" bench models --device cpu --threads "${THREADS:-1,2}" "${common[@]}" | tee "$results/detector-cpu.jsonl" \
      || echo "gpu-bench: the CPU rows failed (OpenBLAS missing?)" >&2
  fi
  if [ "$what" = all ] || [ "$what" = torch ]; then
    local precision
    for precision in fp32 tf32 bf16; do
      "${PYTHON:-python3}" out/gpu/bench/torch_cuda_reference.py --bench-dir out/gpu/bench --device "$device" --precision "$precision" \
        --models "${MODELS:-ae30,vae30,ae2048}" --modes "${MODES:-infer,train}" --batches "${BATCHES:-1,16,64,256,1024,4096}" \
        | tee "$results/torch-${device//:/}-$precision.jsonl" || echo "gpu-bench: the PyTorch CUDA reference did not run (see above)" >&2
    done
  fi
}

case "${1:-}" in
  publish) publish ;;
  run) shift; run "$@" ;;
  *) echo "usage: scripts/gpu-bench.sh publish | run [all|check|detector|torch]" >&2; exit 2 ;;
esac
