#!/usr/bin/env bash
# Headless Chromium for the report layout tests (tests/integration/test_report_layout.py): Debian's package,
# installed once. Does nothing when a chromium is already on PATH.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure_chromium: chromium is not installed and cannot be installed here (needs root and apt-get);" \
         "install Debian's chromium package first." >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
