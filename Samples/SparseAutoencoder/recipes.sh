#!/usr/bin/env bash
# The recipe comparison in README.md: trains the sample with each recipe below on Fashion-MNIST and prints one table
# row per recipe — the structure score of the features (100 most used units, all 400), the held-out mean |a| and
# share of |a| < 0.01 with λ = 0.1, the held-out data loss, and the seconds the λ = 0.1 training took.
# Usage: bash Samples/SparseAutoencoder/recipes.sh [--data DIR]   (LOCK="flock /tmp/lock" runs each training under it)
set -euo pipefail
cd "$(dirname "$0")/../.."
data=(); [ "${1:-}" = "--data" ] && data=(--data "$2")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
${LOCK:-} dotnet build Samples/SparseAutoencoder -c Release --nologo -v quiet > /dev/null
exe=Samples/SparseAutoencoder/bin/Release/net10.0/SparseAutoencoder

recipes=(
  "--momentum 0 --weight-decay 0 --samples 10000 --epochs 10"
  "--momentum 0 --weight-decay 0"
  "--weight-decay 0"
  "--weight-decay 0 --epochs 10"
  "--momentum 0"
  "--weight-decay 0.001"
  ""
  "--weight-decay 0.01"
  "--epochs 2"
  "--epochs 5"
  "--lr 0.02"
)
echo '| options (default: momentum 0.9, lr 0.01, weight decay 0.003, 60,000 images × 3 epochs, batch 32) | score, 100 most used | score, all 400 | mean \|a\| | \|a\| < 0.01 | held-out data loss | seconds (λ = 0.1 training) |'
echo '|---|---:|---:|---:|---:|---:|---:|'
for r in "${recipes[@]}"; do
  # shellcheck disable=SC2086
  ${LOCK:-} "$exe" $r "${data[@]}" --out "$out/pictures" > "$out/log"
  grep -q "Fashion-MNIST" "$out/log" || { echo "Fashion-MNIST was not found: this table is about it (pass --data DIR)" >&2; exit 1; }
  awk -v recipe="${r:-(default)}" '
    /most used units:/ { top = $5; all = $8 }
    /^  λ = / && !done { data = $4; meanabs = $5; below = $6 " " $7; done = 1 }
    /^Trained in/ { secs = $3 }
    END { printf "| `%s` | %s | %s | %s | %s | %s | %s |\n", recipe, top, all, meanabs, below, data, secs }' "$out/log"
done
