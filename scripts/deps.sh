#!/usr/bin/env bash
# Installs the Debian packages callvault needs to build, run and test, when any is missing.
# Sourced by setup.sh and test.sh; the Dockerfile installs the same build list.
set -euo pipefail

CALLVAULT_BUILD_PACKAGES="libsndfile1-dev libopus-dev libogg-dev libsoxr-dev libsqlite3-dev pkg-config"
CALLVAULT_TEST_PACKAGES="opus-tools ffmpeg sox asterisk-core-sounds-en-wav asterisk-moh-opsound-wav sqlite3 python3 python3-prometheus-client time util-linux curl openssl chromium chromium-driver wrk age postgresql iproute2"

callvault_install_packages() {
    local missing=()
    for p in $CALLVAULT_BUILD_PACKAGES "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "installing Debian packages: ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
