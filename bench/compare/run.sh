#!/usr/bin/env bash
# One command: PyTorch and Compiled on the same shapes and thread counts, alternating, then one table.
#   bash bench/compare/run.sh [--rounds N] [--threads "1 2"] [--target SECONDS] [--only infer]
# --only infer: the inference rows alone, float32 and int8 (docs/quantization.md).
# --only sae: the sparse autoencoder rows alone (issue 18, docs/sparse-kernels.md).
# Needs the Debian packages python3-torch and libopenblas0-pthread (installed here with apt-get when missing; root).
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=2; threads="1 2"; target=0.3; only=all
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

if ! /usr/bin/python3 -c "import torch" 2>/dev/null || ! ls /usr/lib/x86_64-linux-gnu/openblas-pthread/ >/dev/null 2>&1; then
  echo "installing python3-torch and libopenblas0-pthread (Debian packages)" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-torch libopenblas0-pthread >/dev/null
fi

dotnet build -c Release bench/Compiled.Benchmarks >/dev/null
out=$(mktemp -d)
for r in $(seq 1 "$rounds"); do
  for t in $threads; do
    echo "round $r, $t thread(s): pytorch" >&2
    # OPENBLAS_CORETYPE pins an old kernel on this CPU for correctness elsewhere; unset for this command only so
    # OpenBLAS picks its own (faster) kernel. OMP_WAIT_POLICY=PASSIVE keeps idle OpenMP threads from spinning.
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
      /usr/bin/python3 bench/compare/torch_models.py "$t" --target "$target" --only "$only" >> "$out/pytorch.jsonl"
    echo "round $r, $t thread(s): compiled" >&2
    dotnet bench/Compiled.Benchmarks/bin/Release/net10.0/Compiled.Benchmarks.dll compare --threads "$t" --target "$target" --only "$only" >> "$out/compiled.jsonl"
  done
done
/usr/bin/python3 bench/compare/table.py "$out/pytorch.jsonl" "$out/compiled.jsonl"
echo "raw results: $out" >&2
