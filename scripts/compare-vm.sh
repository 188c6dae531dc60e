#!/usr/bin/env bash
# Side-by-side parser throughput: ctlmon-bench (release) and VictoriaMetrics' parser
# (bench/peers/victoriametrics, run by scripts/vm-parse-bench.sh), on the same plain-text files, in one run.
# Usage: scripts/compare-vm.sh [FILE…]   (default: the apiserver fixtures and bench-data/*.txt)
# ROUNDS=N (default 3) alternating rounds per file; each column is the median of its rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
VM=scripts/vm-parse-bench.sh
swift build -c release --product ctlmon-bench >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(Tests/Fixtures/apiserver/nri-kubernetes-v1.*.txt.gz bench-data/*.txt)
fi
printf '| file | MB | VictoriaMetrics MB/s | ctlmon MB/s | ratio | ctlmon filtered MB/s | ctlmon all skipped MB/s | skipped / decode | ctlmon allocs/sample |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  plain="$f"
  if [[ "$f" == *.gz ]]; then plain="$tmp/$(basename "${f%.gz}")"; gunzip -c "$f" > "$plain"; fi
  # Alternate the two tools for $ROUNDS rounds and keep each one's median: the machine is shared and noisy.
  vms=(); mbs=(); fmbs=(); vals=()
  for _ in $(seq "${ROUNDS:-3}"); do
    vms+=("$(bash "$VM" "$plain" 7 | sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p')")
    ours=$(.build/release/ctlmon-bench --json "$plain")
    mbs+=("$(echo "$ours" | sed -n 's/.*"mb_per_s":\([0-9.]*\).*/\1/p')")
    fmbs+=("$(echo "$ours" | sed -n 's/.*"filtered_mb_per_s":\([0-9.]*\).*/\1/p')")
    vals+=("$(echo "$ours" | sed -n 's/.*"validated_mb_per_s":\([0-9.]*\).*/\1/p')")
    al=$(echo "$ours" | sed -n 's/.*"allocs_per_sample":\([0-9.]*\).*/\1/p')
  done
  median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
  vm=$(median "${vms[@]}"); mb=$(median "${mbs[@]}"); fmb=$(median "${fmbs[@]}"); val=$(median "${vals[@]}")
  bytes=$(stat -c %s "$plain")
  printf '| %s | %.1f | %.0f | %.0f | %.2f× | %.0f | %.0f | %.2f× | %s |\n' "$(basename "$f")" "$(echo "$bytes/1000000" | bc -l)" "$vm" "$mb" "$(echo "$mb/$vm" | bc -l)" "$fmb" "$val" "$(echo "$val/$mb" | bc -l)" "$al"
done
