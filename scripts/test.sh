#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds once, runs every test.
#   scripts/test.sh            all tests
#   scripts/test.sh --filter X only tests matching X (swift test's filter)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
callvault_install_packages $CALLVAULT_TEST_PACKAGES
scripts/make-fixtures.sh Tests/Fixtures/generated
swift build --build-tests
swift test --skip-build "$@"
