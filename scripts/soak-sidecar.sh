#!/usr/bin/env bash
# A soak of `ctlmon serve` (not in CI): three targets scraped every second (two API servers
# and etcd, recorded scrapes whose counters advance), the shipped rules, a steady query load
# (an instant and a range query every 200 ms, a /metrics scrape every second), for DURATION
# seconds (default 3600). Every minute it prints the sidecar's resident memory, open files,
# threads, and its store's series and samples; at the end, the growth of each from the end of
# the warm-up (WARMUP seconds, default 600: the rules' history fills up) to the last minute.
# Flat after warm-up (≤ 5 % growth) is the goal.
# Usage: scripts/soak-sidecar.sh [CTLMON_BINARY]   (default .build/release/ctlmon, else debug)
set -euo pipefail
cd "$(dirname "$0")/.."
ctlmon=${1:-}
[ -n "$ctlmon" ] || { [ -x .build/release/ctlmon ] && ctlmon=.build/release/ctlmon || ctlmon=.build/debug/ctlmon; }
duration=${DURATION:-3600}
warmup=${WARMUP:-600}

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

target() {  # target FIXTURE: starts a fake target, prints its port
  local out=$work/target-$RANDOM.out
  python3 scripts/fake-target.py --file "$1" > "$out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^PORT ' "$out" 2>/dev/null && break; sleep 0.1; done
  sed -n 's/^PORT //p' "$out"
}
a=$(target Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz)
b=$(target Tests/Fixtures/apiserver/nri-kubernetes-v1.34.txt.gz)
e=$(target Tests/Fixtures/etcd/nri-kubernetes-k8s-v1.32-etcd-3.5.16.txt.gz)
cat > "$work/config.yml" <<YAML
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s, external_labels: {cluster: soak}}
scrape_configs:
  - job_name: apiserver
    static_configs: [{targets: ['127.0.0.1:$a', '127.0.0.1:$b']}]
  - job_name: etcd
    static_configs: [{targets: ['127.0.0.1:$e']}]
YAML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$ctlmon" serve --config "$work/config.yml" --web.listen-address "127.0.0.1:$port" --storage.path "$work/data" > "$work/ctlmon.log" 2>&1 &
pid=$!
pids+=($pid)
base=http://127.0.0.1:$port
for _ in $(seq 600); do curl -sf "$base/-/healthy" >/dev/null && break; sleep 0.1; done

# The query load, in the background.
(
  while kill -0 "$pid" 2>/dev/null; do
    now=$(date +%s)
    curl -s -o /dev/null "$base/api/v1/query" --data-urlencode 'query=histogram_quantile(0.99, sum by (le, verb) (rate(apiserver_request_duration_seconds_bucket[5m])))'
    curl -s -o /dev/null "$base/api/v1/query_range" --data-urlencode 'query=sum by (code) (rate(apiserver_request_total[1m]))' \
      --data-urlencode "start=$((now - 600))" --data-urlencode "end=$now" --data-urlencode step=15
    sleep 0.2
  done
) &
pids+=($!)
( while kill -0 "$pid" 2>/dev/null; do curl -s -o /dev/null "$base/metrics"; sleep 1; done ) &
pids+=($!)

metric() { curl -s "$base/metrics" | sed -n "s/^$1\\({[^}]*}\\)\\{0,1\\} \\([0-9.e+]*\\)$/\\2/p" | head -1; }
printf '%6s %10s %6s %8s %9s %10s\n' minute rss_MiB files threads series samples
rows=()
start=$(date +%s)
minute=0
while [ $(( $(date +%s) - start )) -lt "$duration" ]; do
  sleep 60
  minute=$((minute + 1))
  kill -0 "$pid" 2>/dev/null || { echo "ctlmon exited:"; tail -30 "$work/ctlmon.log"; exit 1; }
  rss=$(awk '/^VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$pid/status)
  files=$(ls /proc/$pid/fd | wc -l)
  threads=$(awk '/^Threads/ {print $2}' /proc/$pid/status)
  series=$(metric ctlmon_store_series)
  samples=$(metric ctlmon_store_samples)
  printf '%6d %10s %6d %8d %9s %10s\n' "$minute" "$rss" "$files" "$threads" "$series" "$samples"
  rows+=("$minute $rss $files $threads $series $samples")
done

# Growth from the first minute after the warm-up to the last.
first=""
for r in "${rows[@]}"; do set -- $r; [ "$1" -ge $(( (warmup + 59) / 60 )) ] && { first=$r; break; }; done
last=${rows[-1]}
if [ -n "$first" ]; then
  python3 - "$first" "$last" <<'PY'
import sys
names = ["rss MiB", "open files", "threads", "series", "samples"]
a = [float(x) for x in sys.argv[1].split()[1:]]
b = [float(x) for x in sys.argv[2].split()[1:]]
print("growth after warm-up (minute %s to %s):" % (sys.argv[1].split()[0], sys.argv[2].split()[0]))
worst = 0
for n, x, y in zip(names, a, b):
    g = (y - x) / x * 100 if x else 0
    worst = max(worst, g)
    print("  %-10s %10.1f -> %10.1f  %+6.1f %%" % (n, x, y, g))
print("flat (<= 5 %%): %s" % ("yes" if worst <= 5 else "NO"))
PY
fi
