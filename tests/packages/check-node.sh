#!/usr/bin/env bash
# Installs phasekit's npm packages the way a user does and uses them: a fresh npm project in a
# temporary directory outside the repository, `npm install` of the packed tarballs (the main
# package and the platform packages with their addons, as the READMEs say; npm skips the other
# platform packages, optional dependencies it cannot find), then tests/packages/node_user.{mjs,cjs} against the local
# server and node_user.ts through `tsc --strict`. A second project installs the main package
# alone: loading it must fail with phasekit's own message naming the platform.
#
#   tests/packages/check-node.sh MAIN.tgz PLATFORM.tgz...
#
# The server comes from $PHASEKIT_SERVER_BIN.
set -euo pipefail
main=$(realpath "${1:?usage: check-node.sh MAIN.tgz PLATFORM.tgz...}")
shift
platforms=()
for tarball in "$@"; do platforms+=("$(realpath "$tarball")"); done
repo=$(cd "$(dirname "$0")/../.." && pwd)
npm_install=(npm install --no-audit --no-fund --loglevel=error)

work=$(mktemp -d)
mkdir "$work/project" "$work/bare"
for project in project bare; do
  echo '{"name": "user-project", "private": true}' >"$work/$project/package.json"
done
cp "$repo"/tests/packages/node_user.{mjs,cjs,ts} "$repo/tests/packages/tsconfig.json" "$work/project/"
echo "== $(basename "$main") $(for p in "${platforms[@]}"; do basename "$p"; done | tr '\n' ' ')"
(cd "$work/project" && "${npm_install[@]}" "$main" "${platforms[@]}" &&
  "${npm_install[@]}" --save-dev typescript@5.9 @types/node@20)

source "$repo/scripts/lib/local-server.sh"
start_local_server "$PHASEKIT_SERVER_BIN" "$repo/tests/server/seeds/demo.json" "$work" demo-sa-token
(cd "$work/project" && node node_user.mjs && node node_user.cjs && npx tsc -p tsconfig.json &&
  echo "node_user.ts: tsc --strict ok")
# The package's bin: the command line, run by the addon.
(cd "$work/project" && npx --no-install phasekit run --app demo-app -- \
  sh -c 'test "$DB_HOST" = localhost') && echo "phasekit bin: run ok"

(cd "$work/bare" && "${npm_install[@]}" "$main")
if message=$(cd "$work/bare" && node -e 'require("phasekit")' 2>&1); then
  echo "check-node: the main package loaded without a platform package" >&2
  exit 1
fi
grep -q "phasekit: no native addon for" <<<"$message" || {
  echo "check-node: loading without an addon failed otherwise:" >&2
  echo "$message" >&2
  exit 1
}
echo "without its platform package: $(grep -m1 'phasekit: no native addon' <<<"$message")"
