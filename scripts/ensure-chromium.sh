#!/usr/bin/env bash
# Make sure Debian's Chromium is at /usr/bin/chromium for the end-to-end tests
# (apps/demo, driven by playwright-core). We never download a browser through
# `npx playwright install`: the system package is the only browser we use.
set -euo pipefail

CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
version() { "$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"; }

if [ -x "$CHROMIUM" ]; then
  echo "chromium: $(version)"
  exit 0
fi

if ! bash "$(dirname "$0")/apt-install.sh" ensure-chromium chromium fonts-dejavu-core; then
  echo "ensure-chromium: $CHROMIUM is missing: install Chromium with your system's package manager, or set CHROMIUM_PATH." >&2
  exit 1
fi

if [ ! -x "$CHROMIUM" ]; then
  echo "ensure-chromium: apt-get finished but $CHROMIUM is still missing." >&2
  exit 1
fi
echo "chromium: $(version)"
