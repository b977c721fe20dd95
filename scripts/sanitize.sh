#!/usr/bin/env bash
# The test suite under AddressSanitizer and ThreadSanitizer (run before each release; slow: two
# extra builds). Each sanitizer builds in its own scratch folder.
#   scripts/sanitize.sh [address] [thread]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
callvault_install_packages $CALLVAULT_TEST_PACKAGES
scripts/make-fixtures.sh Tests/Fixtures/generated
for s in ${*:-address thread}; do
    echo "== swift test --sanitize=$s"
    swift build --build-tests --sanitize="$s" --scratch-path ".build-$s"
    # The integration tests run the callvault built beside the tests, so it is sanitized too.
    # CALLVAULT_SANITIZER: tests skip memory-size bounds, which sanitizer runtimes inflate.
    CALLVAULT_SANITIZER="$s" TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" ASAN_OPTIONS="detect_leaks=0" \
        swift test --skip-build --sanitize="$s" --scratch-path ".build-$s"
done
