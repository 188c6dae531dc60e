#!/usr/bin/env bash
# Regenerates the screenshots the README and docs/ show (docs/images/*.png) from the shipped
# fixtures (the check report, and the status page of a sidecar scraping them), in the same headless chromium the browser checks use (scripts/browser-check.py).
# Usage: scripts/screenshots.sh   (after swift build; needs chromium, chromium-driver, selenium)
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p docs/images .build/screenshots
.build/debug/ctlmon check --time 1800000000 --format html --output .build/screenshots/check-report.html \
  Tests/Fixtures/synthetic/apiserver-1.35-with-webhooks.txt.gz || [ $? = 1 ]
.build-venv/bin/python scripts/browser-check.py --screenshots .build/screenshots .build/screenshots/check-report.html
bash scripts/status-page-check.sh --screenshots .build/screenshots
for shot in desktop phone dark; do
  cp ".build/screenshots/check-report-$shot.png" "docs/images/check-report-$shot.png"
  cp ".build/screenshots/status-$shot.png" "docs/images/status-page-$shot.png"
done
ls -la docs/images
