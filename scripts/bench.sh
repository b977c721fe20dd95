#!/usr/bin/env bash
# The transcoding benchmark (not part of the tests): release build, then scripts/bench.py.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
callvault_install_packages $CALLVAULT_TEST_PACKAGES
swift build -c release --static-swift-stdlib --product callvault
exec python3 scripts/bench.py "$@"
