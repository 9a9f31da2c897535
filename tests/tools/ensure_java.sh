#!/usr/bin/env bash
# ansible-rulebook (tests/integration/test_rulebook.py) runs its rules engine on a JVM: Java 17 or newer.
# Idempotent: does nothing when such a java is on PATH; otherwise installs Debian's openjdk-17-jre-headless.
set -euo pipefail

java_major() {
    java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1
}

if command -v java >/dev/null 2>&1 && [ "$(java_major)" -ge 17 ] 2>/dev/null; then
    exit 0
fi
exec "$(dirname "$0")/apt_install.sh" openjdk-17-jre-headless "ansible-rulebook (Java 17 or newer)"
