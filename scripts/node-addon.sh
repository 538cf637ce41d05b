#!/usr/bin/env bash
# Builds the phasekit Node addon (debug profile for speed) into node/, with napi-rs's generated
# loader (binding.js, which the hand-written index.js requires) and types (index.d.ts), after installing node/'s npm packages when their
# lock file changed. With --check, fails if the generated files differ from the committed ones.
set -euo pipefail
cd "$(dirname "$0")/../node"
TARGET="${TARGET:-$(rustc -vV | sed -n 's/^host: //p')}"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
npx napi build --platform --target "$TARGET" --js binding.js >/dev/null
if [ "${1:-}" = "--check" ] && ! git diff --quiet -- binding.js index.d.ts; then
  echo "node/binding.js or node/index.d.ts differ from what napi-rs generates:" >&2
  git --no-pager diff --stat -- binding.js index.d.ts >&2
  echo "run 'make node' and commit them" >&2
  exit 1
fi
