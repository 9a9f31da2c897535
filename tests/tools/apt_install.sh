#!/usr/bin/env bash
# Installs one Debian package that the tests need beyond Python, as root or through sudo, and says what to do
# where that cannot be done. The ensure_*.sh scripts call it once they have found the program missing.
# Usage: apt_install.sh PACKAGE "what needs it"
set -euo pipefail

package=$1
purpose=$2
if ! command -v apt-get >/dev/null 2>&1; then
    echo "$purpose needs Debian's package $package (or the same program on PATH), and apt-get is not here to install it." >&2
    exit 1
fi
run_as_root=()
if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "$purpose needs Debian's package $package; install it as root (apt-get install $package)." >&2
        exit 1
    fi
    run_as_root=(sudo)
fi
"${run_as_root[@]}" apt-get update -qq
"${run_as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null
