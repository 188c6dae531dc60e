#!/usr/bin/env bash
# A soak of `ctlmon serve` (not in CI): three targets scraped every second (two API servers
# and etcd, recorded scrapes whose counters advance), the shipped rules, a steady query load
# (an instant and a range query every 200 ms, a /metrics scrape every second, the status page
# every 5 s), for DURATION
# seconds (default 3600). Every minute it prints the sidecar's resident memory, open files,
# threads, and its store's series and samples; at the end, the growth of each from the end of
# the warm-up (WARMUP seconds, default 600: the rules' history fills up) to the end, as medians of
# five minutes. Flat after warm-up (≤ 5 % growth of memory and series, at most 2 more open
# files and threads) is the goal.
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
# SERVE_ARGS: more flags for ctlmon serve (e.g. "--storage.dashboard-retention 0s": at one scrape a
# second, the dashboards' hour of history alone fills the store for the whole first hour).
# shellcheck disable=SC2086
"$ctlmon" serve --config "$work/config.yml" --web.listen-address "127.0.0.1:$port" --storage.path "$work/data" ${SERVE_ARGS:-} > "$work/ctlmon.log" 2>&1 &
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
( while kill -0 "$pid" 2>/dev/null; do curl -s -o /dev/null "$base/"; sleep 5; done ) &
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

# Growth after the warm-up: the median of the first five minutes after it against the median of
# the last five (one minute's reading swings with the allocator's trims and the query load).
# The store's samples are reported, not judged: they grow until the longest range the rules
# read is full (hours), and flat is expected only after that.
python3 - "$(( (warmup + 59) / 60 ))" "${rows[@]}" <<'PY'
import statistics, sys
warm = int(sys.argv[1])
rows = [[float(x) for x in r.split()] for r in sys.argv[2:] if int(r.split()[0]) >= warm]
if len(rows) < 10:
    print("too short for a verdict: %d minutes after the warm-up (10 needed)" % len(rows))
    sys.exit(0)
names = ["rss MiB", "open files", "threads", "series", "samples"]
head, tail = rows[:5], rows[-5:]
print("growth after warm-up (median of minutes %d-%d -> median of %d-%d):" % (head[0][0], head[-1][0], tail[0][0], tail[-1][0]))
# Open files and threads are small counts that the query pool moves by one or two (a thread
# parked, a connection open): they are flat when they grow by at most 2 or 5 %.
flat = True
for i, n in enumerate(names, start=1):
    x = statistics.median(r[i] for r in head)
    y = statistics.median(r[i] for r in tail)
    g = (y - x) / x * 100 if x else 0
    if n in ("open files", "threads"):
        ok = y - x <= 2 or g <= 5
    else:
        ok = n == "samples" or g <= 5
    flat = flat and ok
    note = "  (fills to the rules' longest range)" if n == "samples" else ("" if ok else "  <- grows")
    print("  %-10s %10.1f -> %10.1f  %+6.1f %%%s" % (n, x, y, g, note))
print("flat (memory and series <= 5 %%, files and threads <= +2): %s" % ("yes" if flat else "NO"))
PY
