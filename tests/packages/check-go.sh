#!/usr/bin/env bash
# Uses phasekit's Go module the way a Go user does: a fresh module in a temporary directory
# outside the repository, with its own module cache, `go get github.com/phasekit/phasekit/go@
# VERSION` through the file-based module proxy PROXY_DIR (no replace directive, no checkout on
# the way), then builds and runs tests/packages/go_user/main.go against the local server. The
# module without its libraries must fail to build with phasekit's message saying what to do.
#
#   tests/packages/check-go.sh PROXY_DIR VERSION
#
# The server comes from $PHASEKIT_SERVER_BIN.
set -euo pipefail
proxy=$(realpath "${1:?usage: check-go.sh PROXY_DIR VERSION}")
version=${2:?usage: check-go.sh PROXY_DIR VERSION}
repo=$(cd "$(dirname "$0")/../.." && pwd)

work=$(mktemp -d)
mkdir "$work/app"
cp "$repo/tests/packages/go_user/main.go" "$work/app/"
# Only the file proxy: the module must come from it alone. Its checksum is not in the public
# checksum database (it is not published), so that check is off for it.
export GOPROXY="file://$proxy" GOSUMDB=off GOTOOLCHAIN=local GOFLAGS=-modcacherw \
  GOMODCACHE="$work/modcache"
echo "== github.com/phasekit/phasekit/go@$version from $proxy"
(cd "$work/app" && go mod init example.com/user-app >/dev/null 2>&1 &&
  go get "github.com/phasekit/phasekit/go@$version" && go build -o user-app .)

source "$repo/scripts/lib/local-server.sh"
start_local_server "$PHASEKIT_SERVER_BIN" "$repo/tests/server/seeds/demo.json" "$work" demo-sa-token
"$work/app/user-app"

# A copy of the module that lacks this platform's library: the build stops with the message.
nolib="$work/nolib"
cp -r "$GOMODCACHE/github.com/phasekit/phasekit/go@$version" "$nolib"
rm -rf "$nolib/lib"
sed -i 's|^module .*|module example.com/nolib|' "$nolib/go.mod"
if output=$(cd "$nolib" && go build . 2>&1); then
  echo "check-go: the module built without its library" >&2
  exit 1
fi
grep -q "phasekit: this copy of the module has no prebuilt library" <<<"$output" || {
  echo "check-go: without its library the build failed otherwise:" >&2
  echo "$output" >&2
  exit 1
}
echo "without its library: $(grep -o 'phasekit: this copy[^"]*' <<<"$output" | head -n1)"
