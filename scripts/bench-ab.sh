#!/usr/bin/env bash
# Parser speed of two builds of ctlmon-bench side by side: before/after a change.
# Usage: scripts/bench-ab.sh BEFORE_BINARY AFTER_BINARY [FILE…]
#   (default files: the 1.16 and 1.35 apiserver fixtures and bench-data/*.txt)
# ROUNDS=N (default 7) alternating rounds per file; each figure is the median of its rounds,
# the ratio is after/before (above 1: faster). The machine is shared and noisy: only
# alternating runs in one session compare.
# To get a BEFORE binary: git worktree add /tmp/before REV && (cd /tmp/before &&
#   swift build -c release --product ctlmon-bench) → /tmp/before/.build/release/ctlmon-bench
set -euo pipefail
cd "$(dirname "$0")/.."
before=$1 after=$2; shift 2
files=("$@")
[ ${#files[@]} -eq 0 ] && files=(Tests/Fixtures/apiserver/nri-kubernetes-v1.16.txt.gz Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz bench-data/*.txt)
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
field() { sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
printf '| file | before MB/s | after MB/s | ratio | before filtered MB/s | after filtered MB/s | ratio | allocs/sample before → after |\n|---|---:|---:|---:|---:|---:|---:|---|\n'
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  b=(); a=(); bf=(); af=()
  for _ in $(seq "${ROUNDS:-7}"); do
    out=$("$before" --json "$f"); b+=("$(echo "$out" | field mb_per_s)"); bf+=("$(echo "$out" | field filtered_mb_per_s)"); ba=$(echo "$out" | field allocs_per_sample)
    out=$("$after" --json "$f"); a+=("$(echo "$out" | field mb_per_s)"); af+=("$(echo "$out" | field filtered_mb_per_s)"); aa=$(echo "$out" | field allocs_per_sample)
  done
  mb=$(median "${b[@]}"); ma=$(median "${a[@]}"); fb=$(median "${bf[@]}"); fa=$(median "${af[@]}")
  printf '| %s | %.1f | %.1f | %.3f | %.1f | %.1f | %.3f | %s → %s |\n' "$(basename "$f")" "$mb" "$ma" "$(echo "$ma / $mb" | bc -l)" "$fb" "$fa" "$(echo "$fa / $fb" | bc -l)" "$ba" "$aa"
done
