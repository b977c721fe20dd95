#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs what is missing, builds once, starts a throwaway
# PostgreSQL cluster, runs every test.
#   scripts/test.sh            all tests
#   scripts/test.sh --filter X only tests matching X (swift test's filter)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
callvault_install_packages $CALLVAULT_TEST_PACKAGES
scripts/make-fixtures.sh Tests/Fixtures/generated
swift build --build-tests
# A throwaway PostgreSQL cluster for the PostgreSQL tests (scripts/pg-cluster.sh), stopped on exit;
# with CALLVAULT_TEST_POSTGRES_URL set they run, and fail if the server cannot be reached.
if [ -z "${CALLVAULT_TEST_POSTGRES_URL:-}" ]; then
    pg_dir=$(mktemp -d /tmp/callvault-pg.XXXXXX)
    trap 'scripts/pg-cluster.sh stop "$pg_dir"' EXIT
    CALLVAULT_TEST_POSTGRES_URL=$(scripts/pg-cluster.sh start "$pg_dir")
    export CALLVAULT_TEST_POSTGRES_URL PGPASSFILE="$pg_dir/pgpass"
fi
swift test --skip-build "$@"
