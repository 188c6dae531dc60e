#!/usr/bin/env bash
# The sidecar's HTTP API against its OpenAPI description (docs/openapi.yaml), by schemathesis
# (PyPI), on a live `ctlmon serve` scraping a fake target: a fixed seed, EXAMPLES (default 300)
# test cases per operation, positive and negative. Fails on any 5xx other than a documented
# 503, an undocumented status, a wrong content type, a body off its schema — or if the sidecar
# is gone at the end.
# Usage: scripts/schemathesis.sh [CTLMON_BINARY] (default .build/debug/ctlmon)
set -euo pipefail
cd "$(dirname "$0")/.."
ctlmon=${1:-.build/debug/ctlmon}
venv=.build-venv
[ -x $venv/bin/st ] || { [ -x $venv/bin/python ] || python3 -m venv $venv; $venv/bin/pip install -q schemathesis; }

work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT

python3 scripts/fake-target.py --file Tests/Fixtures/apiserver/nri-kubernetes-v1.35.txt.gz > "$work/target.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q '^PORT ' "$work/target.out" 2>/dev/null && break; sleep 0.1; done
target_port=$(sed -n 's/^PORT //p' "$work/target.out")
cat > "$work/rules.yml" <<'YAML'
groups:
  - name: api
    interval: 1s
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
      - alert: TargetUp
        expr: up == 1
YAML
cat > "$work/config.yml" <<YAML
global: {scrape_interval: 1s, scrape_timeout: 1s, evaluation_interval: 1s}
rule_files: [rules.yml]
scrape_configs:
  - job_name: apiserver
    static_configs: [{targets: ['127.0.0.1:$target_port']}]
YAML
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# Queries bounded so that no generated query can run into the timeout (a 503 would be right,
# but not what this run is about): a million samples, evaluated in well under a minute.
"$ctlmon" serve --config "$work/config.yml" --web.listen-address "127.0.0.1:$port" \
  --query.max-samples 1000000 --query.timeout 60s > "$work/ctlmon.log" 2>&1 &
ctlmon_pid=$!
pids+=($ctlmon_pid)
for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.1; done
curl -sf "http://127.0.0.1:$port/-/ready" >/dev/null || { echo "ctlmon did not become ready:"; cat "$work/ctlmon.log"; exit 1; }

$venv/bin/st run docs/openapi.yaml --url "http://127.0.0.1:$port" --seed 1 --max-examples "${EXAMPLES:-300}" \
  --workers 1 --no-color --request-timeout 90 \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
  --suppress-health-check all

kill -0 "$ctlmon_pid" 2>/dev/null || { echo "ctlmon died during the run:"; tail -50 "$work/ctlmon.log"; exit 1; }
echo "schemathesis: the sidecar answered every case within its description and is still serving"
