#!/usr/bin/env bash
# One command on a fresh Debian 12 machine with Swift: installs the Debian packages that are
# missing, builds callvault (release), and runs the demo on a copy of samples/ in ./data.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
callvault_install_packages
swift build -c release --static-swift-stdlib --product callvault
BIN=$(swift build -c release --static-swift-stdlib --show-bin-path)/callvault
# The spool, config and registry, and the caller directory and website logs the job imports.
rm -rf data && mkdir -p data/archive
cp -r samples/spool samples/callvault.toml samples/registry.csv \
    samples/directory.csv samples/sessions.jsonl samples/callbacks.csv data/
set +e
"$BIN" job run jobs/demo.toml
status=$?
set -e
cat <<MSG

Demo finished (exit status $status: 3 means some inputs were quarantined, as two samples are bad on purpose).
  archive:      data/archive/
  index:        data/callvault.sqlite
  HTML report:  $(ls data/reports/*.html 2>/dev/null | head -1)
  metrics:      data/metrics/callvault.prom
  quarantined:  data/spool/failed/   (each with its .error.json)
Try next:
  $BIN query --config data/callvault.toml --campaign Search-Brand
  $BIN show 1764338400.101 --config data/callvault.toml
  $BIN report missed --unreturned --config data/callvault.toml
  $BIN query --caller-name ortega --config data/callvault.toml
  $BIN report callers --config data/callvault.toml
  $BIN show 1764957600.115 --config data/callvault.toml
  $BIN report summary --by keyword --config data/callvault.toml
  $BIN report summary --by attribution_method --config data/callvault.toml
  $BIN report callbacks --config data/callvault.toml
MSG
