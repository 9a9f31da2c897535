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
if ! command -v apt-get >/dev/null 2>&1; then
    echo "Java 17 or newer is needed for ansible-rulebook; install it (JDK/JRE 17) and put java on PATH." >&2
    exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless
