#!/usr/bin/env bash
# Remote write's cost, side by side in one run: `ctlmon serve` (with the shipped rules, as it
# runs) and Prometheus 2.42 in agent mode (--enable-feature=agent), scraping the same targets
# (TARGETS fake API servers serving the kube-apiserver 1.35 fixture) every INTERVAL seconds and
# writing to the same receiver (VictoriaMetrics single-node; each with its own external label).
# A third process, `ctlmon serve` with the same config but no remote_write, gives what remote
# write itself adds to the sidecar. After WARMUP seconds, for DURATION seconds: resident memory
# once a second (median and max) and CPU time, and the samples each sent (its own
# remote-storage counters).
# Usage: INTERVAL=15 DURATION=600 scripts/compare-remote-write.sh   (defaults: 15 s, 600 s, 3 targets)
set -euo pipefail
cd "$(dirname "$0")/.."
INTERVAL=${INTERVAL:-15}
DURATION=${DURATION:-600}
WARMUP=${WARMUP:-$((DURATION / 5))}
TARGETS=${TARGETS:-3}
FIXTURE=${FIXTURE:-Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz}
for tool in prometheus victoria-metrics; do
  command -v $tool >/dev/null || { echo "$tool is needed (Debian: prometheus, victoria-metrics)" >&2; exit 1; }
done
swift build -c release --product ctlmon --static-swift-stdlib --scratch-path .build-static >/dev/null
ctlmon=$PWD/.build-static/release/ctlmon
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

targets=""
for i in $(seq "$TARGETS"); do
  python3 scripts/fake-target.py --file "$FIXTURE" > "$work/target$i.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q PORT "$work/target$i.log" && break; sleep 0.1; done
  targets="$targets'127.0.0.1:$(sed -n 's/^PORT //p' "$work/target$i.log")', "
done
vm=$(free_port); cport=$(free_port); aport=$(free_port); bport=$(free_port)
victoria-metrics -httpListenAddr=127.0.0.1:$vm -storageDataPath="$work/vm" -loggerLevel=ERROR > "$work/vm.log" 2>&1 &
pids+=($!)
scrape="scrape_configs:
  - job_name: apiserver
    static_configs: [{targets: [${targets%, }]}]"
write() { printf 'remote_write: [{url: "http://127.0.0.1:%s/api/v1/write"}]\n' "$vm"; }
timeout=$((INTERVAL < 10 ? INTERVAL : 10))
{ echo "global: {scrape_interval: ${INTERVAL}s, scrape_timeout: ${timeout}s, evaluation_interval: ${INTERVAL}s, external_labels: {sender: ctlmon}}"
  echo "$scrape"; write; } > "$work/ctlmon.yml"
{ echo "global: {scrape_interval: ${INTERVAL}s, scrape_timeout: ${timeout}s, evaluation_interval: ${INTERVAL}s, external_labels: {sender: ctlmon}}"
  echo "$scrape"; } > "$work/bare.yml"
{ echo "global: {scrape_interval: ${INTERVAL}s, scrape_timeout: ${timeout}s, external_labels: {sender: agent}}"
  echo "$scrape"; write; } > "$work/agent.yml"
"$ctlmon" serve --config "$work/ctlmon.yml" --web.listen-address 127.0.0.1:$cport --storage.path "$work/ctlmon" --log.level warn &
ctlmon_pid=$!
pids+=($ctlmon_pid)
"$ctlmon" serve --config "$work/bare.yml" --web.listen-address 127.0.0.1:$bport --storage.path "$work/bare" --log.level warn &
bare_pid=$!
pids+=($bare_pid)
prometheus --enable-feature=agent --config.file="$work/agent.yml" --storage.agent.path="$work/agent" \
  --web.listen-address=127.0.0.1:$aport --log.level=warn 2>"$work/agent.log" &
agent_pid=$!
pids+=($agent_pid)

rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
cpu() { awk '{print ($14 + $15) / 100}' "/proc/$1/stat"; }
sent() { curl -s "$1/metrics" | awk -v n="$2" '$1 ~ "^"n"({|$)" {s += $2} END {print s + 0}'; }
sleep "$WARMUP"
c0=$(cpu $ctlmon_pid); a0=$(cpu $agent_pid); b0=$(cpu $bare_pid)
cs0=$(sent http://127.0.0.1:$cport ctlmon_remote_storage_samples_total)
as0=$(sent http://127.0.0.1:$aport prometheus_remote_storage_samples_total)
: > "$work/rss"
for _ in $(seq "$DURATION"); do
  echo "$(rss $ctlmon_pid) $(rss $agent_pid) $(rss $bare_pid)" >> "$work/rss"
  sleep 1
done
c1=$(cpu $ctlmon_pid); a1=$(cpu $agent_pid); b1=$(cpu $bare_pid)
cs1=$(sent http://127.0.0.1:$cport ctlmon_remote_storage_samples_total)
as1=$(sent http://127.0.0.1:$aport prometheus_remote_storage_samples_total)
median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
cm=$(cut -d' ' -f1 "$work/rss" | median); cx=$(cut -d' ' -f1 "$work/rss" | sort -n | tail -1)
am=$(cut -d' ' -f2 "$work/rss" | median); ax=$(cut -d' ' -f2 "$work/rss" | sort -n | tail -1)
bm=$(cut -d' ' -f3 "$work/rss" | median); bx=$(cut -d' ' -f3 "$work/rss" | sort -n | tail -1)
buffer=$(curl -s "http://127.0.0.1:$cport/metrics" | awk '$1 ~ /^ctlmon_remote_storage_buffer_bytes/ {print $2}')
printf '%d targets, %s every %s s, %s s measured after %s s, both writing to VictoriaMetrics\n' "$TARGETS" "$(basename "$FIXTURE")" "$INTERVAL" "$DURATION" "$WARMUP"
printf '| | RSS median MB | RSS max MB | CPU s | samples sent | CPU µs per sample sent |\n|---|---:|---:|---:|---:|---:|\n'
row() {
  local per="-"
  [ "$5" -gt 0 ] && per=$(printf '%.2f' "$(echo "$4*1000000/$5" | bc -l)")
  printf '| %s | %.1f | %.1f | %.2f | %d | %s |\n' "$1" "$(echo "$2/1024" | bc -l)" "$(echo "$3/1024" | bc -l)" "$4" "$5" "$per"
}
row "ctlmon serve (rules, alerts, API and remote write)" "$cm" "$cx" "$(echo "$c1-$c0" | bc -l)" "$((cs1 - cs0))"
row "ctlmon serve without remote_write" "$bm" "$bx" "$(echo "$b1-$b0" | bc -l)" 0
row "Prometheus 2.42 agent mode (remote write only)" "$am" "$ax" "$(echo "$a1-$a0" | bc -l)" "$((as1 - as0))"
printf 'ratio (agent / ctlmon): RSS %.1f×, CPU %.1f×\n' "$(echo "$am/$cm" | bc -l)" "$(echo "($a1-$a0)/($c1-$c0+0.0001)" | bc -l)"
printf 'remote write itself (ctlmon minus ctlmon without it): RSS %+.1f MB, CPU %.2f s (%.2f µs per sample sent)\n' \
  "$(echo "($cm-$bm)/1024" | bc -l)" "$(echo "($c1-$c0)-($b1-$b0)" | bc -l)" "$(echo "(($c1-$c0)-($b1-$b0))*1000000/($cs1-$cs0+0.000001)" | bc -l)"
printf 'buffer at the end: %s bytes (the unsent part; at %.0f samples/s written)\n' "${buffer:-0}" "$(echo "($cs1-$cs0)/$DURATION" | bc -l)"
