#!/usr/bin/env bash
# Writes Tests/Fixtures/conformance/openmetrics-errors.txt: for every invalid case of the
# OpenMetrics suite, the error `ctlmon parse --openmetrics` gives (line:column: message,
# without the source). The conformance test pins these messages; run this after changing a
# message on purpose, and review the diff.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product ctlmon >/dev/null
out=Tests/Fixtures/conformance/openmetrics-errors.txt
{
  echo "# case<TAB>line:column: message — the first error of each invalid OpenMetrics case (scripts/pin-openmetrics-errors.sh)"
  for dir in Tests/Fixtures/conformance/openmetrics/*/; do
    name=$(basename "$dir")
    grep -q '"shouldParse": *false' "$dir/test.json" || continue
    msg=$(cd "$dir" && ../../../../../.build/debug/ctlmon parse --openmetrics metrics 2>&1 >/dev/null | head -1 || true)
    msg=${msg#ctlmon: }; printf '%s\t%s\n' "$name" "${msg#metrics:}"
  done
} > "$out"
echo "wrote $out ($(grep -vc '^#' "$out") cases)"
