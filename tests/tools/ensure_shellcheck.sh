#!/usr/bin/env bash
# ansible-test sanity's shellcheck test needs the shellcheck program; without it ansible-test skips the test
# with a warning, and the release check (tests/tools/release_check.py) fails on any skipped sanity test.
# Idempotent: does nothing when shellcheck is on PATH; otherwise installs Debian's shellcheck.
set -euo pipefail

if command -v shellcheck >/dev/null 2>&1; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "shellcheck is needed for ansible-test sanity's shellcheck test; install it (https://www.shellcheck.net) and put it on PATH." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends shellcheck
