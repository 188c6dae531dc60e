#!/usr/bin/env bash
# Builds and runs bench/peers/victoriametrics (VictoriaMetrics' text parser, from Debian's
# Go packages, GOPATH mode: nothing is downloaded) on one plain-text FILE.
# Usage: scripts/vm-parse-bench.sh FILE [RUNS]
# Needs golang-go and the Debian -dev packages listed in need= below (installed here when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."
file=$(readlink -f "$1"); runs=${2:-5}
need=(golang-go golang-github-victoriametrics-victoriametrics-dev golang-github-victoriametrics-metrics-dev
      golang-github-victoriametrics-metricsql-dev golang-github-valyala-fastjson-dev)
missing=(); for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then echo "install as root: apt-get install ${missing[*]}" >&2; exit 2; fi
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
out=.build-peers; mkdir -p "$out"
src=bench/peers/victoriametrics/main.go
if [ ! -x "$out/vm-parse-bench" ] || [ "$src" -nt "$out/vm-parse-bench" ]; then
  (cd bench/peers/victoriametrics && GO111MODULE=off GOPATH=/usr/share/gocode GOPROXY=off GOFLAGS= GOCACHE="$PWD/../../../$out/gocache" \
    go build -o "../../../$out/vm-parse-bench" .)
fi
"$out/vm-parse-bench" -runs "$runs" "$file"
