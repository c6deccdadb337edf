#!/usr/bin/env bash
# First calls against steady state, JIT and NativeAOT: the classifier of bench/FirstCall/Program.cs (784 → 256 ReLU → 10
# softmax, Fit on the 60,000 Fashion-MNIST training images, 3 epochs, batch 32) and Predict at batch 1.
# Publishes FirstCall framework-dependent (JIT) and NativeAOT (linux-x64, IlcInstructionSet as the samples: x86-64-v3,
# or --isa), then runs each mode in a fresh process, alternating the builds, --rounds times (default 5), and prints
# the medians: first epoch against the median of epochs 2–3; the first Predict call, and calls 2–100 against 99 steady
# calls (and all first 100 against 100 steady ones).
# --compare DIR adds the same two builds from another checkout of the repository (e.g. the commit before a change),
# alternated with these in every round. Needs Fashion-MNIST (apt-get install dataset-fashion-mnist, or --data DIR).
# Usage: bash bench/FirstCall/run.sh [--rounds N] [--isa native|x86-64-v3|…] [--compare DIR] [--data DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=5 isa=x86-64-v3 compare="" data=/usr/share/datasets/fashion-mnist
while [ $# -gt 0 ]; do
  case $1 in
    --rounds) rounds=$2 ;; --isa) isa=$2 ;; --compare) compare=$2 ;; --data) data=$2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift 2
done
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

# publish NAME REPO: both builds of REPO's bench/FirstCall into $out/NAME-jit and $out/NAME-aot.
publish() {
  dotnet publish "$2/bench/FirstCall" -c Release -o "$out/$1-jit" --nologo -v quiet
  dotnet publish "$2/bench/FirstCall" -c Release -r linux-x64 -p:PublishAot=true -p:IlcInstructionSet="$isa" -o "$out/$1-aot" --nologo -v quiet
}
builds=(this)
publish this .
[ -n "$compare" ] && { publish other "$compare"; builds=(other this); }

for i in $(seq "$rounds"); do
  for mode in fit predict; do
    for b in "${builds[@]}"; do
      for kind in jit aot; do
        "$out/$b-$kind/FirstCall" "$mode" --data "$data" | grep '^firstcall' >> "$out/$b-$kind.$mode"
      done
    done
  done
done

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
field() { grep -o " $1=[0-9.]*" "$2" | cut -d= -f2 | median; }
label() { case $1 in this) echo "$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Runtime Generator bench/FirstCall || echo '+changes')" ;;
                      other) (cd "$compare" && git rev-parse --short HEAD) ;; esac; }
echo "| build | first epoch (s) | steady epoch (s) | first / steady | Predict: first call (µs) | calls 2–100 (µs) | 99 steady calls (µs) | calls 2–100 / steady | first 100 / steady 100 |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for b in "${builds[@]}"; do
  for kind in jit aot; do
    f="$out/$b-$kind.fit" p="$out/$b-$kind.predict"
    name="$(label "$b") $( [ $kind = jit ] && echo JIT || echo "NativeAOT ($isa)")"
    echo "| $name | $(field first "$f") | $(field steady "$f") | $(field ratio "$f") | $(field first_call_us "$p") | $(field rest99_us "$p") | $(field steady99_us "$p") | $(field rest_ratio "$p") | $(field ratio "$p") |"
  done
done
echo
echo "Medians of $rounds rounds; each ratio is the median of the per-run ratios. Every run:"
for b in "${builds[@]}"; do
  for kind in jit aot; do sed "s/^/    $(label "$b") $kind: /" "$out/$b-$kind.fit" "$out/$b-$kind.predict"; done
done
