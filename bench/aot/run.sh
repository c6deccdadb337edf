#!/usr/bin/env bash
# NativeAOT vs JIT for the main sample: binary size, start-up time and training throughput.
# Publishes SparseAutoencoder twice — NativeAOT (net10.0, linux-x64, the machine's ISA) and framework-dependent JIT
# (net10.0) — then alternates the two: start-up = wall time of `--help` (20 runs each, median), throughput = the
# samples/s of the last epoch of a short training on the built-in data (5 runs each, median).
# Usage: bash bench/aot/run.sh [--isa native|x86-64-v4|x86-64-v2|default]
set -euo pipefail
cd "$(dirname "$0")/../.."
isa=native
[ "${1:-}" = "--isa" ] && isa=$2
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
aot_args=(-r linux-x64 -p:PublishAot=true)
[ "$isa" != default ] && aot_args+=(-p:IlcInstructionSet="$isa")
[ "$isa" = default ] && isa="x86-64-v3 (the samples' default)"
dotnet publish Samples/SparseAutoencoder -c Release "${aot_args[@]}" -o "$out/aot" --nologo -v quiet
dotnet publish Samples/SparseAutoencoder -c Release -o "$out/jit" --nologo -v quiet

median() { sort -g | awk '{a[NR] = $1} END {print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
startup() { local s e; s=$(date +%s%N); "$1" --help > /dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000 )); }
throughput() { "$1" --data none --epochs 3 --samples 4096 --batch 32 --out "$out/pictures" | awk '$1 == 3 && $NF ~ /^[0-9]+$/ {print $NF; exit}'; }

for kind in aot jit; do : > "$out/$kind.start"; : > "$out/$kind.rate"; done
for i in $(seq 20); do
  for kind in aot jit; do startup "$out/$kind/SparseAutoencoder" >> "$out/$kind.start"; done
done
for i in $(seq 5); do
  for kind in aot jit; do throughput "$out/$kind/SparseAutoencoder" >> "$out/$kind.rate"; done
done

size() { du -b "$1" | cut -f1; }
aot_size=$(size "$out/aot/SparseAutoencoder")
jit_size=$(du -bc "$out"/jit/*.dll "$out/jit/SparseAutoencoder" | tail -1 | cut -f1)
printf '| build | files on disk | start-up (`--help`), median of 20 | training, samples/s, median of 5 |\n|---|---:|---:|---:|\n'
printf '| NativeAOT net10.0 (IlcInstructionSet=%s) | %s bytes (one executable) | %s ms | %s |\n' "$isa" "$aot_size" \
  "$(median < "$out/aot.start" | awk '{printf "%.1f", $1 / 1000}')" "$(median < "$out/aot.rate")"
printf '| JIT net10.0, framework-dependent | %s bytes (app + our dlls, runtime not counted) | %s ms | %s |\n' "$jit_size" \
  "$(median < "$out/jit.start" | awk '{printf "%.1f", $1 / 1000}')" "$(median < "$out/jit.rate")"
