#!/usr/bin/env bash
# The small networks side by side in one run: PyTorch, Compiled as built here, and Compiled at an earlier commit (the
# "before" column: by default the commit where this branch left main), alternating, then one table.
#   bash bench/compare/small.sh [--before REV] [--rounds N] [--threads "1"] [--target SECONDS]
# Rows: the tiny MLP's train step (4 → 32 tanh → 16 tanh → 4, batch 1 and 100) and SimpleChains' README gradient
# (24 → 8 tanh → 2, 200 rows). The earlier commit is checked out into a temporary worktree and built with this tree's
# bench/Compiled.Benchmarks (the rows need only the models' public API), so both builds time the same code.
# Needs the Debian packages python3-torch and libopenblas0-pthread (see run.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
before=$(git merge-base HEAD main); rounds=3; threads="1"; target=0.3
while [ $# -gt 0 ]; do
  case "$1" in
    --before) before=$(git rev-parse "$2"); shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --target) target=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

out=$(mktemp -d)
tree="$out/before"
cleanup() { git worktree remove --force "$tree" >/dev/null 2>&1 || true; }
trap cleanup EXIT
git worktree add --detach "$tree" "$before" >/dev/null 2>&1
rm -rf "$tree/bench/Compiled.Benchmarks" && cp -r bench/Compiled.Benchmarks "$tree/bench/" && rm -rf "$tree/bench/Compiled.Benchmarks/bin" "$tree/bench/Compiled.Benchmarks/obj"
echo "before: $(git log -1 --format='%h %s' "$before" | cut -c1-100)" >&2
echo "after:  $(git log -1 --format='%h' HEAD)$(git diff --quiet HEAD || echo ' + uncommitted changes')" >&2
dotnet build -c Release bench/Compiled.Benchmarks >/dev/null
dotnet build -c Release "$tree/bench/Compiled.Benchmarks" >/dev/null
for r in $(seq 1 "$rounds"); do
  for t in $threads; do
    echo "round $r, $t thread(s): pytorch, before, compiled" >&2
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OMP_WAIT_POLICY=PASSIVE \
      /usr/bin/python3 bench/compare/torch_models.py "$t" --target "$target" --only small >> "$out/pytorch.jsonl"
    dotnet "$tree/bench/Compiled.Benchmarks/bin/Release/net10.0/Compiled.Benchmarks.dll" compare --threads "$t" --target "$target" --only small --label compiled_before >> "$out/before.jsonl"
    dotnet bench/Compiled.Benchmarks/bin/Release/net10.0/Compiled.Benchmarks.dll compare --threads "$t" --target "$target" --only small >> "$out/compiled.jsonl"
  done
done
/usr/bin/python3 bench/compare/table.py "$out/pytorch.jsonl" "$out/before.jsonl" "$out/compiled.jsonl"
echo "raw results: $out" >&2
