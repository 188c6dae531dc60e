#!/usr/bin/env bash
# The sidecar against Prometheus 2.42, side by side in one run: the same targets (TARGETS
# fake API servers serving the kube-apiserver 1.35 fixture, or FIXTURE), the same shipped
# rules, the same intervals. Prints each one's resident memory (median and max of one sample
# a second after WARMUP) and CPU time per scrape.
# Usage: INTERVAL=15 DURATION=600 scripts/compare-sidecar.sh     (defaults: 1 s, 120 s, 3 targets)
set -euo pipefail
cd "$(dirname "$0")/.."
INTERVAL=${INTERVAL:-1}
DURATION=${DURATION:-120}
WARMUP=${WARMUP:-$((DURATION / 4))}
TARGETS=${TARGETS:-3}
FIXTURE=${FIXTURE:-Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz}
command -v prometheus >/dev/null || { echo "prometheus is needed (Debian: prometheus)" >&2; exit 1; }
swift build -c release --product ctlmon --static-swift-stdlib --scratch-path .build-static >/dev/null
work=$(mktemp -d)
# The binary as the image ships it: static Swift runtime, stripped.
strip -o "$work/ctlmon-bin" .build-static/release/ctlmon
ctlmon=$work/ctlmon-bin
echo "ctlmon binary: $(stat -c %s "$ctlmon") bytes (stripped)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

targets=""
for i in $(seq "$TARGETS"); do
  python3 scripts/fake-target.py --file "$FIXTURE" > "$work/target$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q PORT "$work/target$i.log" && break; sleep 0.1; done
  port=$(sed -n 's/^PORT //p' "$work/target$i.log")
  targets="$targets'127.0.0.1:$port', "
done
cat > "$work/config.yml" <<EOF
global: {scrape_interval: ${INTERVAL}s, scrape_timeout: $((INTERVAL < 10 ? INTERVAL : 10))s, evaluation_interval: ${INTERVAL}s}
rule_files: [$PWD/Rules/*.yaml]
scrape_configs:
  - job_name: apiserver
    static_configs: [{targets: [${targets%, }]}]
EOF
"$ctlmon" serve --config "$work/config.yml" --web.listen-address 127.0.0.1:0 --storage.path "$work/ctlmon" --log.level warn 2>"$work/ctlmon.log" &
ctlmon_pid=$!
pids+=($ctlmon_pid)
prometheus --config.file="$work/config.yml" --storage.tsdb.path="$work/prom" --web.listen-address=127.0.0.1:0 --log.level=warn 2>"$work/prom.log" &
prom_pid=$!
pids+=($prom_pid)

alive() {
  kill -0 "$ctlmon_pid" 2>/dev/null || { echo "ctlmon serve exited:" >&2; cat "$work/ctlmon.log" >&2; exit 1; }
  kill -0 "$prom_pid" 2>/dev/null || { echo "prometheus exited:" >&2; cat "$work/prom.log" >&2; exit 1; }
}
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
sleep "$WARMUP"
alive
c0=$(cpu $ctlmon_pid); p0=$(cpu $prom_pid)
: > "$work/rss"
for _ in $(seq $((DURATION - WARMUP))); do
  alive
  echo "$(rss $ctlmon_pid) $(rss $prom_pid)" >> "$work/rss"
  sleep 1
done
c1=$(cpu $ctlmon_pid); p1=$(cpu $prom_pid)
split() { awk '/^Rss:/ {r = $2} /^Anonymous:/ {a = $2} END {printf "RSS %.1f MB = anonymous %.1f MB + file-backed %.1f MB ", r / 1024, a / 1024, (r - a) / 1024}' "/proc/$1/smaps_rollup"; }
csplit=$(split $ctlmon_pid)
scrapes=$(( (DURATION - WARMUP) / INTERVAL * TARGETS ))
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
cm=$(cut -d' ' -f1 "$work/rss" | median); cx=$(cut -d' ' -f1 "$work/rss" | sort -n | tail -1)
pm=$(cut -d' ' -f2 "$work/rss" | median); px=$(cut -d' ' -f2 "$work/rss" | sort -n | tail -1)
printf '%d targets, %s every %s s, %s s measured after %s s\n' "$TARGETS" "$(basename "$FIXTURE")" "$INTERVAL" "$((DURATION - WARMUP))" "$WARMUP"
printf '| | RSS median MB | RSS max MB | CPU ms per scrape |\n|---|---:|---:|---:|\n'
printf '| ctlmon serve | %.1f | %.1f | %.2f |\n' "$(echo "$cm/1024" | bc -l)" "$(echo "$cx/1024" | bc -l)" "$(echo "($c1-$c0)*1000/$scrapes" | bc -l)"
printf '| Prometheus 2.42 | %.1f | %.1f | %.2f |\n' "$(echo "$pm/1024" | bc -l)" "$(echo "$px/1024" | bc -l)" "$(echo "($p1-$p0)*1000/$scrapes" | bc -l)"
printf 'ratio (Prometheus / ctlmon): RSS %.1f×, CPU %.1f×\n' "$(echo "$pm/$cm" | bc -l)" "$(echo "($p1-$p0)/($c1-$c0)" | bc -l)"
printf 'ctlmon at the end: %s(file-backed pages are the binary and shared libraries)\n' "$csplit"
