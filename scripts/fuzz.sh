#!/usr/bin/env bash
# Fuzzing (not part of scripts/test.sh): builds libFuzzer targets with Swift's -sanitize=fuzzer
# (and AddressSanitizer) and runs each for SECONDS (default 60) from the seed corpus in
# Tests/Fuzz/TARGET/. A crash is saved to Tests/Fuzz/TARGET/crash-*: commit it, and the test
# suite replays it from then on (FuzzRegressionTests).
#   scripts/fuzz.sh [SECONDS] [TARGET...]     targets: sidecar csv config audio
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
callvault_install_packages
SECONDS_EACH=${1:-60}
shift || true
TARGETS=${*:-sidecar csv config audio}
swift build --product callvault-fuzz --scratch-path .build-fuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -parse-as-library -Xswiftc -use-ld=lld
BIN=$(swift build --product callvault-fuzz --scratch-path .build-fuzz --show-bin-path)/callvault-fuzz
status=0
for t in $TARGETS; do
    work=$(mktemp -d)
    cp Tests/Fuzz/$t/* "$work/"
    echo "== fuzzing $t for ${SECONDS_EACH}s"
    # Leaks are checked for config (our own TOML parser; TOMLKit, which leaked per parse, is gone —
    # its input stays in Tests/Fuzz/config/found-tomlkit-leak.toml) and not for the other targets,
    # whose C libraries keep per-process caches. Crashes and memory errors stop every run.
    leaks=0
    [ "$t" = config ] && leaks=1
    if ! CALLVAULT_FUZZ_TARGET=$t "$BIN" "$work" -max_total_time="$SECONDS_EACH" -max_len=65536 -detect_leaks=$leaks \
            -artifact_prefix="Tests/Fuzz/$t/" -print_final_stats=1 2>&1 | tail -n 12; then
        echo "!! $t: crash found, saved under Tests/Fuzz/$t/ (commit it as a regression input)"
        status=1
    fi
    rm -rf "$work"
done
exit $status
