#!/usr/bin/env bash
# make test-dist: every artifact `make dist` wrote to dist/, installed the way its users install
# it, outside the repository, and used against the local server (tests/packages/check-*.sh).
# Those that cannot run on this machine (musl builds on a glibc host) are checked as files:
# their platform tag (auditwheel) and the shared libraries and symbol versions they need.
# The sdist is built from source in a fresh virtual environment (a Rust toolchain is needed;
# several minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(python3 scripts/version.py)
checks=tests/packages

only() {
  local matches=("$@")
  [ ${#matches[@]} -eq 1 ] && [ -e "${matches[0]}" ] || { echo "test-dist: expected one file, found: ${matches[*]}" >&2; exit 1; }
  echo "${matches[0]}"
}

# The highest GLIBC_x.y symbol version a binary needs; empty when it needs none.
glibc_needed() {
  objdump -T "$1" | grep -o 'GLIBC_[0-9.]*' | sed 's/GLIBC_//' | sort -V | tail -n1
}

# A glibc binary needs no symbol version newer than $1; prints its machine and the highest.
expect_glibc_at_most() {
  local highest machine
  highest=$(glibc_needed "$2")
  machine=$(readelf -h "$2" | sed -n 's/ *Machine: *//p')
  echo "  $(basename "$2") ($machine) needs glibc $highest"
  [ "$(printf '%s\n%s\n' "$highest" "$1" | sort -V | tail -n1)" = "$1" ] ||
    { echo "test-dist: $2 needs glibc $highest (more than $1)" >&2; exit 1; }
}

# A musl binary needs only musl's libc and no glibc symbol version.
expect_musl_only() {
  local needed
  needed=$(readelf -d "$1" | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | tr '\n' ' ')
  echo "  $(basename "$1") needs: $needed"
  [ "$needed" = "libc.so " ] || { echo "test-dist: $1 needs more than musl's libc" >&2; exit 1; }
  [ -z "$(glibc_needed "$1")" ] || { echo "test-dist: $1 needs glibc symbols" >&2; exit 1; }
}

echo "== Python"
$checks/check-python.sh "$(only dist/python/phasekit-"$version"-cp39-abi3-manylinux*_x86_64.whl)" manylinux_2_17_x86_64
musl_wheel=$(only dist/python/phasekit-"$version"-cp39-abi3-musllinux_1_2_x86_64.whl)
$checks/check-python.sh "$musl_wheel" musllinux_1_2_x86_64 --inspect-only
unpacked=$(mktemp -d)
python3 -m zipfile -e "$musl_wheel" "$unpacked"
expect_musl_only "$(only "$unpacked"/phasekit/_phasekit*.so)"
rm -rf "$unpacked"
# The sdist, as pip builds it where no wheel fits (with a Rust toolchain).
$checks/check-python.sh "$(only dist/python/phasekit-"$version".tar.gz)"

echo "== Node"
gnu=$(only dist/npm/phasekit-linux-x64-gnu-"$version".tgz)
$checks/check-node.sh "$(only dist/npm/phasekit-"$version".tgz)" "$gnu"
# The addons for other machines, as files: the C library and the glibc symbols they need.
for tarball in "$gnu" dist/npm/phasekit-linux-{x64-musl,arm64-gnu}-"$version".tgz; do
  unpacked=$(mktemp -d)
  tar xzf "$tarball" -C "$unpacked"
  addon=$(only "$unpacked"/package/phasekit.*.node)
  case "$addon" in
    *-musl.node) expect_musl_only "$addon" ;;
    *) expect_glibc_at_most 2.17 "$addon" ;;
  esac
  rm -rf "$unpacked"
done

echo "== Go"
tests/packages/check-go.sh dist/goproxy "v$version"
module_zip=$(only dist/goproxy/github.com/phasekit/phasekit/go/@v/v"$version".zip)
unpacked=$(mktemp -d)
python3 -m zipfile -e "$module_zip" "$unpacked"
libraries=$(find "$unpacked" -path '*/lib/*/libphasekit_ffi.a' | sort)
[ -n "$libraries" ] || { echo "test-dist: the module zip carries no library" >&2; exit 1; }
for library in $libraries; do
  platform=$(basename "$(dirname "$library")")
  echo "  lib/$platform/libphasekit_ffi.a: $(du -h "$library" | cut -f1), $(readelf -h "$library" | sed -n 's/ *Machine: *//p' | sort -u | head -n1)"
done
rm -rf "$unpacked"
echo "test-dist: every artifact in dist/ checked"
