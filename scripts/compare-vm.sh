#!/usr/bin/env bash
# Side-by-side parser throughput: ctlmon-bench (release) and VictoriaMetrics' parser
# (../shared/peers/vm-bench.sh), on the same plain-text files, in one run.
# Usage: scripts/compare-vm.sh [FILE…]   (default: the apiserver fixtures and bench-data/*.txt)
set -euo pipefail
cd "$(dirname "$0")/.."
VM=${VM_BENCH:-../shared/peers/vm-bench.sh}
swift build -c release --product ctlmon-bench >/dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  files=(Tests/Fixtures/apiserver/nri-kubernetes-v1.*.txt.gz bench-data/*.txt)
fi
printf '| file | MB | VictoriaMetrics MB/s | ctlmon MB/s | ratio | ctlmon filtered MB/s | ctlmon allocs/sample |\n|---|---:|---:|---:|---:|---:|---:|\n'
for f in "${files[@]}"; do
  [ -f "$f" ] || continue
  plain="$f"
  if [[ "$f" == *.gz ]]; then plain="$tmp/$(basename "${f%.gz}")"; gunzip -c "$f" > "$plain"; fi
  vm=$(bash "$VM" "$plain" 7 | sed -n 's/.*MB\/s=\([0-9.]*\).*/\1/p')
  ours=$(.build/release/ctlmon-bench --json "$plain")
  mb=$(echo "$ours" | sed -n 's/.*"mb_per_s":\([0-9.]*\).*/\1/p')
  fmb=$(echo "$ours" | sed -n 's/.*"filtered_mb_per_s":\([0-9.]*\).*/\1/p')
  al=$(echo "$ours" | sed -n 's/.*"allocs_per_sample":\([0-9.]*\).*/\1/p')
  bytes=$(stat -c %s "$plain")
  printf '| %s | %.1f | %.0f | %.0f | %.2f× | %.0f | %s |\n' "$(basename "$f")" "$(echo "$bytes/1000000" | bc -l)" "$vm" "$mb" "$(echo "$mb/$vm" | bc -l)" "$fmb" "$al"
done
