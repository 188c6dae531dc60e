#!/usr/bin/env bash
# How long the status page takes to render, side by side with Prometheus 2.42 answering the
# same charts: three fake API servers serving the kube-apiserver 1.35 fixture, scraped every
# INTERVAL seconds (default 1) by `ctlmon serve` (release build) and by Prometheus with the
# shipped rules; after
# WARMUP seconds (default 120), ROUNDS times (default 30) each: GET / from ctlmon (the whole
# page: every chart's range query, the tables, the HTML), and the page's chart queries (its
# links to /api/v1/query_range) from Prometheus, one after the other. Prints the medians (curl's
# time_total) and their ratio.
# Usage: scripts/bench-status-page.sh   (needs prometheus; builds .build/release/ctlmon unless CTLMON names one)
set -euo pipefail
cd "$(dirname "$0")/.."
WARMUP=${WARMUP:-120}
INTERVAL=${INTERVAL:-1}
ROUNDS=${ROUNDS:-30}
ctlmon=${CTLMON:-.build/release/ctlmon}
[ -n "${CTLMON:-}" ] || swift build -c release --product ctlmon >/dev/null
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

targets=""
for i in 1 2 3; do
  python3 scripts/fake-target.py --file Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz > "$work/t$i.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^PORT ' "$work/t$i.out" 2>/dev/null && break; sleep 0.1; done
  targets="$targets'127.0.0.1:$(sed -n 's/^PORT //p' "$work/t$i.out")', "
done
rules=$(ls Rules/*.yaml | sed "s|^|'$PWD/|; s|$|'|" | paste -sd, -)
cat > "$work/config.yml" <<YAML
global: {scrape_interval: ${INTERVAL}s, scrape_timeout: 1s, evaluation_interval: ${INTERVAL}s}
rule_files: [$rules]
scrape_configs:
  - {job_name: apiserver, static_configs: [{targets: [${targets%, }]}]}
YAML
cport=$(free_port)
pport=$(free_port)
"$ctlmon" serve --config "$work/config.yml" --web.listen-address "127.0.0.1:$cport" > "$work/ctlmon.log" 2>&1 &
pids+=($!)
prometheus --config.file="$work/config.yml" --storage.tsdb.path="$work/prom" --web.listen-address="127.0.0.1:$pport" > "$work/prom.log" 2>&1 &
pids+=($!)
echo "warming up for $WARMUP s"
sleep "$WARMUP"

curl -s "http://127.0.0.1:$cport/" > "$work/page.html"
python3 - "$work/page.html" > "$work/links" <<'PY'
import html, re, sys
for href in re.findall(r'<a href="(api/v1/query_range\?[^"]+)"', open(sys.argv[1]).read()):
    print(html.unescape(href))
PY
echo "page: $(wc -c < "$work/page.html") bytes, $(wc -l < "$work/links") charts"
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
for _ in $(seq "$ROUNDS"); do
  curl -s -o /dev/null -w '%{time_total}\n' "http://127.0.0.1:$cport/" >> "$work/ctlmon.times"
  total=0
  while read -r link; do
    t=$(curl -s -o /dev/null -w '%{time_total}' "http://127.0.0.1:$pport/$link")
    total=$(python3 -c "print($total + $t)")
  done < "$work/links"
  echo "$total" >> "$work/prom.times"
done
c=$(median < "$work/ctlmon.times")
p=$(median < "$work/prom.times")
python3 -c "print('status page from ctlmon: median %.1f ms; its charts from Prometheus 2.42: median %.1f ms; ratio %.2fx' % ($c * 1000, $p * 1000, $p / $c))"
