#!/usr/bin/env bash
# The sidecar's status page in a real browser: starts fake targets for the shipped fixtures (an
# API server with webhooks, etcd, the scheduler, the controller manager) and `ctlmon serve` with
# the shipped rules, waits until its rules have run, then runs scripts/browser-check.py on `/`
# and `/?range=6h` (no console error, no request but the page, charts titled, the verdict
# visible at 1280x800 and 390x844, dark mode, no grade by colour alone).
# Usage: scripts/status-page-check.sh [--screenshots DIR]   (needs chromium, chromium-driver,
# and selenium in .build-venv; ctlmon from .build/debug)
set -euo pipefail
cd "$(dirname "$0")/.."
ctlmon=${CTLMON:-.build/debug/ctlmon}
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

start_target() {
  python3 scripts/fake-target.py --file "Tests/Fixtures/$1" > "$work/$2.out" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do grep -q '^PORT ' "$work/$2.out" 2>/dev/null && break; sleep 0.1; done
  sed -n 's/^PORT //p' "$work/$2.out"
}
apiserver=$(start_target synthetic/apiserver-1.35-with-webhooks.txt.gz apiserver)
etcd=$(start_target etcd/nri-kubernetes-k8s-v1.35-etcd-3.6.6.txt.gz etcd)
scheduler=$(start_target scheduler/nri-kubernetes-v1.35.txt.gz scheduler)
kcm=$(start_target controller-manager/nri-kubernetes-v1.35.txt.gz kcm)
cat > "$work/config.yml" <<YAML
global: {scrape_interval: 2s, scrape_timeout: 2s, evaluation_interval: 2s}
scrape_configs:
  - {job_name: apiserver, static_configs: [{targets: ['127.0.0.1:$apiserver']}]}
  - {job_name: etcd, static_configs: [{targets: ['127.0.0.1:$etcd']}]}
  - {job_name: scheduler, static_configs: [{targets: ['127.0.0.1:$scheduler']}]}
  - {job_name: kcm, static_configs: [{targets: ['127.0.0.1:$kcm']}]}
YAML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$ctlmon" serve --config "$work/config.yml" --web.listen-address "127.0.0.1:$port" > "$work/ctlmon.log" 2>&1 &
pids+=($!)
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null || { echo "ctlmon did not become ready:"; cat "$work/ctlmon.log"; exit 1; }
# Two minutes of history would look better; a few rate windows' worth is enough to draw lines.
for _ in $(seq 300); do
  curl -s "http://127.0.0.1:$port/" | grep -q 'pending\|firing' && break
  sleep 0.2
done
.build-venv/bin/python scripts/browser-check.py "$@" "http://127.0.0.1:$port/" "http://127.0.0.1:$port/?range=6h"
