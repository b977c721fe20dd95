#!/usr/bin/env bash
# Lays out toml-lang/toml-test's TOML 1.0 cases (the list tests/files-toml-1.0.0) with the
# project's licence in Tests/TOMLTest/, for CallVaultTOMLTests. The files are committed, so the
# tests need no network; run this only to move to another toml-test commit.
#   scripts/fetch-toml-test.sh GIT_DIR_OR_URL [COMMIT]
# GIT_DIR_OR_URL: a clone (or bare git dir) of https://github.com/toml-lang/toml-test, or the URL.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=${1:?usage: scripts/fetch-toml-test.sh GIT_DIR_OR_URL [COMMIT]}
COMMIT=${2:-HEAD}
if [ ! -d "$SRC" ]; then
    tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
    git clone --quiet --bare "$SRC" "$tmp/toml-test.git"
    SRC=$tmp/toml-test.git
fi
G=(git --git-dir="$SRC")
[ -d "$SRC/.git" ] && G=(git -C "$SRC")
commit=$("${G[@]}" rev-parse "$COMMIT^{commit}")
dest=Tests/TOMLTest
rm -rf "$dest"
mkdir -p "$dest"
"${G[@]}" show "$commit:LICENSE" > "$dest/LICENSE"
"${G[@]}" show "$commit:tests/files-toml-1.0.0" > "$dest/files-toml-1.0.0"
while IFS= read -r f; do
    [ -n "$f" ] || continue
    mkdir -p "$dest/$(dirname "$f")"
    "${G[@]}" show "$commit:tests/$f" > "$dest/$f"
done < "$dest/files-toml-1.0.0"
printf "# toml-test files are byte-exact test input (CRLF, invalid UTF-8): no conversion.\n* -text\n" > "$dest/.gitattributes"
cat > "$dest/README.md" <<EOT
# toml-test cases (TOML 1.0)

From https://github.com/toml-lang/toml-test at commit $commit, laid out by
\`scripts/fetch-toml-test.sh\`: the files listed in \`files-toml-1.0.0\` (TOML 1.1-only cases are
not in that list). MIT licence: see LICENSE. Used by Tests/CallVaultTOMLTests.
EOT
echo "$(grep -c '^valid/.*\.toml$' "$dest/files-toml-1.0.0") valid and $(grep -c '^invalid/.*\.toml$' "$dest/files-toml-1.0.0") invalid cases from $commit in $dest"
