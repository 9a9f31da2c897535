#!/usr/bin/env bash
# ansible-test sanity's shellcheck test needs the shellcheck program; without it ansible-test skips the test
# with a warning, and the release check (tests/tools/release_check.py) fails on any skipped sanity test.
# Idempotent: does nothing when shellcheck is on PATH; otherwise installs Debian's shellcheck.
set -euo pipefail

if command -v shellcheck >/dev/null 2>&1; then
    exit 0
fi
exec "$(dirname "$0")/apt_install.sh" shellcheck "ansible-test sanity's shellcheck test"
