#!/usr/bin/env bash
# What a new user gets: clones the committed main into a temporary folder with no ../shared beside
# it, then runs `npm ci && npm test` there with no xmllint on the PATH and neither ODATA_SPEC_DIR
# nor CI set. Exits 0 only if that passes. (Not part of `npm test`; it runs it.)
set -euo pipefail
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
work=$(mktemp -d "${TMPDIR:-/tmp}/mto-fresh-clone-XXXXXX")
trap 'rm -rf "$work"' EXIT

git clone -q "$repo" "$work/managed-tenant-operations"

# A PATH holding every command of this one, less those `npm test` must not need.
without=(xmllint)
mkdir "$work/bin"
IFS=: read -ra dirs <<<"$PATH"
for dir in "${dirs[@]}"; do
  for command in "$dir"/*; do
    name=$(basename "$command")
    if [ -f "$command" ] && [ -x "$command" ] && [ ! -e "$work/bin/$name" ]; then
      ln -s "$command" "$work/bin/$name"
    fi
  done
done
for name in "${without[@]}"; do rm -f "$work/bin/$name"; done

cd "$work/managed-tenant-operations"
echo "check:fresh-clone: npm ci && npm test in $PWD (no ../shared, no ${without[*]} on the PATH)"
env -u ODATA_SPEC_DIR -u CI PATH="$work/bin" bash -c '
  if command -v xmllint >/dev/null; then echo "xmllint is still on the PATH" >&2; exit 1; fi
  [ ! -e ../shared ] || { echo "../shared exists beside the clone" >&2; exit 1; }
  npm ci --no-audit --no-fund && npm test'
echo "check:fresh-clone: passed"
