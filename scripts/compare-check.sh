#!/usr/bin/env bash
# `ctlmon check` against `ctlmon parse` and `promtool check metrics` on the same files, in
# one run: whole processes; wall time by hyperfine (median of RUNS runs, default 21), peak
# RSS by GNU time (median of 5). ctlmon is the static release build (`--static-swift-stdlib`, as a
# sidecar image ships it; .build-static); the dynamic build's RSS is printed beside it.
# Usage: scripts/compare-check.sh [FILE…]
#   (default: the kube-apiserver 1.35 fixture and bench-data/apiserver-30mb.txt, made by
#   scripts/make-large-scrape.py when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v promtool >/dev/null || { echo "promtool is needed (Debian: prometheus)" >&2; exit 1; }
for tool in hyperfine /usr/bin/time bc; do
  command -v "$tool" >/dev/null || { echo "$tool is needed (Debian: hyperfine, time, bc)" >&2; exit 1; }
done
swift build -c release --product ctlmon --static-swift-stdlib --scratch-path .build-static >/dev/null
swift build -c release --product ctlmon >/dev/null
static=.build-static/release/ctlmon
dynamic=.build/release/ctlmon
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
  [ -f bench-data/apiserver-30mb.txt ] || python3 scripts/make-large-scrape.py \
    Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz 30 bench-data/apiserver-30mb.txt
  files=(Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz bench-data/apiserver-30mb.txt)
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
# Peak RSS in KB of one run (GNU time). Exit statuses are ignored: check exits 1 when an alert
# fires, promtool check metrics 3 on lint findings.
rss() { /usr/bin/time -f '%M' -o "$tmp/t" "$@" >/dev/null 2>&1 || true; tail -1 "$tmp/t"; }
printf '| file | MB | ctlmon parse ms | ctlmon check ms | check / parse | promtool check metrics ms | promtool / check | check peak RSS MB (static) | (dynamic) |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---:|---:|\n'
for f in "${files[@]}"; do
  plain="$f"
  if [[ "$f" == *.gz ]]; then plain="$tmp/$(basename "${f%.gz}")"; gunzip -c "$f" > "$plain"; fi
  # Wall times: hyperfine, one invocation for the three commands (median of RUNS runs each).
  hyperfine -i --style none --warmup 3 --runs "${RUNS:-21}" --export-json "$tmp/h.json" \
    "$static parse $f" "$static check $f --time 2026-07-01T00:00:00Z" "promtool check metrics < $plain" >/dev/null 2>&1
  read -r p c pt < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(*[x["median"]*1000 for x in r])' "$tmp/h.json")
  rs=(); ds=()
  for _ in 1 2 3 4 5; do
    rs+=("$(rss "$static" check "$f" --time 2026-07-01T00:00:00Z)")
    ds+=("$(rss "$dynamic" check "$f" --time 2026-07-01T00:00:00Z)")
  done
  r=$(median "${rs[@]}"); d=$(median "${ds[@]}")
  printf '| %s | %.1f | %.1f | %.1f | %.2f× | %.0f | %.1f× | %.1f | %.1f |\n' "$(basename "$f")" \
    "$(echo "$(stat -c %s "$plain")/1000000" | bc -l)" "$p" "$c" "$(echo "$c/$p" | bc -l)" "$pt" \
    "$(echo "$pt/$c" | bc -l)" "$(echo "$r/1024" | bc -l)" "$(echo "$d/1024" | bc -l)"
done
