#!/usr/bin/env bash
# Headless Chromium for the report layout tests (tests/integration/test_report_layout.py): Debian's package,
# installed once. Does nothing when a chromium is already on PATH.
set -euo pipefail

if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
exec "$(dirname "$0")/apt_install.sh" chromium "The report layout tests (headless Chromium)"
