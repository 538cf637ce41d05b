#!/usr/bin/env bash
# Publishes the Go module into a file-based module proxy as a release would: the files of go/
# that the repository tracks, plus a stripped static library for each platform given, at
# lib/<GOOS>_<GOARCH>/libphasekit_ffi.a (the repository never commits them).
#
#   scripts/go-module.sh PROXY_DIR VERSION GOOS_GOARCH=LIBRARY...
#   e.g. scripts/go-module.sh dist/goproxy v0.1.0 linux_amd64=target/dist/.../libphasekit_ffi.a
#
# Then: GOPROXY=file://$PWD/PROXY_DIR GOSUMDB=off go get github.com/phasekit/phasekit/go@VERSION
set -euo pipefail
proxy=$(realpath -m "${1:?usage: go-module.sh PROXY_DIR VERSION GOOS_GOARCH=LIBRARY...}")
version=${2:?usage: go-module.sh PROXY_DIR VERSION GOOS_GOARCH=LIBRARY...}
shift 2
repo=$(cd "$(dirname "$0")/.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

(cd "$repo/go" && git ls-files -z | xargs -0 -I{} cp --parents {} "$stage/")
for library in "$@"; do
  platform=${library%%=*}
  file=${library#*=}
  mkdir -p "$stage/lib/$platform"
  # Debug sections are most of an unstripped archive; the symbols the linker needs stay.
  strip --strip-debug -o "$stage/lib/$platform/libphasekit_ffi.a" "$file"
  echo "go-module: lib/$platform/libphasekit_ffi.a $(du -h "$stage/lib/$platform/libphasekit_ffi.a" | cut -f1)"
done
(cd "$repo/scripts/goproxy" && go run . -module github.com/phasekit/phasekit/go -version "$version" \
  -dir "$stage" -out "$proxy")
echo "go-module: github.com/phasekit/phasekit/go@$version in $proxy"
