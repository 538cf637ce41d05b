#!/usr/bin/env bash
# Cuts a release: sets the version everywhere (scripts/version.py), moves CHANGELOG.md's
# "Unreleased" section under the new version with today's date, updates Cargo.lock, checks that
# every file agrees, and commits and tags vX.Y.Z. Pushing the tag starts the release pipeline
# (.github/workflows/release.yml). Nothing is pushed here: RELEASING.md says what comes next.
#
#   scripts/release.sh X.Y.Z
set -euo pipefail
cd "$(dirname "$0")/.."
version=${1:?usage: scripts/release.sh X.Y.Z}
[ -z "$(git status --porcelain)" ] || { echo "release: the work tree has changes; commit or stash them first" >&2; exit 1; }
git rev-parse -q --verify "refs/tags/v$version" >/dev/null && { echo "release: v$version exists" >&2; exit 1; }
grep -q '^## \[Unreleased\]' CHANGELOG.md || { echo "release: CHANGELOG.md has no [Unreleased] section" >&2; exit 1; }

python3 scripts/version.py set "$version"
today=$(date -u +%Y-%m-%d)
python3 - "$version" "$today" <<'PY'
import re, sys
version, today = sys.argv[1:]
path = "CHANGELOG.md"
text = open(path).read()
text = text.replace("## [Unreleased]", f"## [Unreleased]\n\n## [{version}] - {today}", 1)
# The compare links at the bottom (Keep a Changelog): Unreleased from the new tag on.
repo = "https://github.com/phasekit/phasekit"
text = re.sub(r"^\[Unreleased\]: .*$", f"[Unreleased]: {repo}/compare/v{version}...HEAD\n[{version}]: {repo}/releases/tag/v{version}", text, count=1, flags=re.M)
open(path, "w").write(text)
PY
cargo update --workspace --quiet
python3 scripts/version.py check
git add -A Cargo.toml Cargo.lock CHANGELOG.md node go/version.go examples/node/package-lock.json
git commit -q -m "Release $version"
git tag -a "v$version" -m "phasekit $version"
echo "release: committed and tagged v$version; push with: git push origin main v$version"
