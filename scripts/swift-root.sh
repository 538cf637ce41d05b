#!/usr/bin/env bash
# A Debian trixie root with the Swift toolchain from Debian's packages (swiftlang 6.0.x), for
# building and testing the Swift package on a Debian/Ubuntu host without Swift.
#
#   scripts/swift-root.sh create            make the root unless it is there (as root; ~2 min)
#   scripts/swift-root.sh run [-e NAME]... [-C DIR] -- COMMAND...
#                                           COMMAND inside the root (made first when absent), in
#                                           DIR (default: the current directory) with the
#                                           repository at the same path, in a clean environment;
#                                           -e passes the host's variable NAME through
#   scripts/swift-root.sh remove            delete the root
#
# The root is $SWIFT_ROOT (default target/swift-root, git-ignored). The mirror is
# $SWIFT_ROOT_MIRROR, else the host's Debian mirror from /etc/apt/sources.list*.
#
# Mounts: every mount (/proc, a small /dev, /tmp, the repository) is made inside a private mount
# namespace of its own (unshare), never in the host's: it disappears with the last process of
# that namespace on every exit path (end, failure, Ctrl-C, even SIGKILL), and a trap unmounts it
# explicitly before. The host never sees a mount under the root, so removing the root cannot
# reach through one into /dev or the repository; `remove` and the clean-up of a half-made root
# still refuse to delete anything while findmnt shows a mount below it. A lock serialises
# making/removing the root against runs inside it.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="${SWIFT_ROOT:-$repo/target/swift-root}"
root="$(realpath -m "$root")"
suite=trixie
marker=etc/phasekit-swift-root
# swiftlang: compiler, SwiftPM, Foundation, XCTest, Testing; libc6-dev: crt files and headers.
packages="swiftlang libc6-dev"
lock="$root.lock"

die() { echo "swift-root: $*" >&2; exit 1; }

# debootstrap, chroot and mounts need root: a CI runner's user gets it through sudo.
if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "needs root (debootstrap, chroot, mounts)"
    exec sudo --preserve-env=SWIFT_ROOT,SWIFT_ROOT_MIRROR "$0" "$@"
fi

# Mounts at or below $1 as the host sees them.
mounts_below() {
    findmnt -rn -o TARGET | awk -v dir="$1" '$0 == dir || index($0, dir "/") == 1'
}

# Deletes a directory tree, refusing when anything is mounted below it.
safe_remove() {
    local dir=$1
    [ -e "$dir" ] || return 0
    case "$dir" in /|"$repo"|"$repo/target") die "refusing to remove $dir" ;; esac
    if [ -n "$(mounts_below "$dir")" ]; then
        die "refusing to remove $dir: still mounted below it:
$(mounts_below "$dir")"
    fi
    rm -rf --one-file-system "$dir"
}

mirror() {
    if [ -n "${SWIFT_ROOT_MIRROR:-}" ]; then
        echo "$SWIFT_ROOT_MIRROR"
        return
    fi
    local found
    found="$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null |
        grep -vE '^[[:space:]]*#' | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -n 1 | tr -d ' ')" || true
    echo "${found:-http://deb.debian.org/debian}"
}

# Run inside a mount namespace of its own (unshare, below): mounts what a chroot needs under $1,
# with the repository at its own path when $2 is "repo", and unmounts it all when this shell
# exits (the kernel would drop the mounts with the namespace anyway).
mount_root() {
    local dir=$1 with_repo=$2
    mounted=()
    unmount_all() {
        local i
        for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
            umount "${mounted[i]}" 2>/dev/null || umount -l "${mounted[i]}" 2>/dev/null || true
        done
        mounted=()
    }
    trap unmount_all EXIT
    trap 'unmount_all; exit 130' INT
    trap 'unmount_all; exit 143' TERM
    # Nothing mounted here propagates to the host.
    mount --make-rprivate /
    # Each mount is recorded right after it is made; a failing one stops the script (set -e).
    mount -t proc proc "$dir/proc"
    mounted+=("$dir/proc")
    # /dev: a tmpfs with the few device files bound in (never the host's /dev itself).
    mount -t tmpfs -o mode=755,nosuid devtmp "$dir/dev"
    mounted+=("$dir/dev")
    local node
    for node in null zero full random urandom tty; do
        touch "$dir/dev/$node"
        mount --bind "/dev/$node" "$dir/dev/$node"
        mounted+=("$dir/dev/$node")
    done
    mkdir -p "$dir/dev/shm" "$dir/dev/pts"
    mount -t tmpfs -o mode=1777,nosuid,nodev shm "$dir/dev/shm"
    mounted+=("$dir/dev/shm")
    # Pseudo-terminals of its own (apt asks for one); optional.
    if mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$dir/dev/pts" 2>/dev/null; then
        mounted+=("$dir/dev/pts")
        ln -s pts/ptmx "$dir/dev/ptmx"
    fi
    ln -s /proc/self/fd "$dir/dev/fd"
    ln -s /proc/self/fd/0 "$dir/dev/stdin"
    ln -s /proc/self/fd/1 "$dir/dev/stdout"
    ln -s /proc/self/fd/2 "$dir/dev/stderr"
    mount -t tmpfs -o mode=1777,nosuid,nodev tmp "$dir/tmp"
    mounted+=("$dir/tmp")
    if [ "$with_repo" = repo ]; then
        mkdir -p "$dir$repo"
        mount --bind "$repo" "$dir$repo"
        mounted+=("$dir$repo")
    fi
}

chroot_env() {
    echo env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        LANG=C.UTF-8 TERM="${TERM:-dumb}" DEBIAN_FRONTEND=noninteractive
}

# The steps of `create` that run in a mount namespace of their own.
inside_create() {
    local partial=$1 mirror_url=$2
    debootstrap --variant=minbase "$suite" "$partial" "$mirror_url"
    mount_root "$partial" norepo
    # shellcheck disable=SC2046
    chroot "$partial" $(chroot_env) sh -ec "
        apt-get update -q
        apt-get install -y -q --no-install-recommends $packages
        apt-get clean
        rm -rf /var/lib/apt/lists/*
        swift --version | head -n 1 >/$marker"
}

create() {
    if [ -f "$root/$marker" ]; then
        return 0
    fi
    if ! command -v debootstrap >/dev/null; then
        command -v apt-get >/dev/null || die "debootstrap is missing (a Debian/Ubuntu package)"
        echo "swift-root: installing debootstrap (apt-get)"
        apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends debootstrap >/dev/null
    fi
    local partial="$root.partial" start mirror_url
    start=$(date +%s)
    mirror_url="$(mirror)"
    local log="$root.log"
    echo "swift-root: making a Debian $suite root with $packages in $root (from $mirror_url; log: $log)"
    safe_remove "$partial"
    safe_remove "$root"
    mkdir -p "$(dirname "$root")"
    if ! unshare --mount --propagation private -- "$0" __inside_create "$partial" "$mirror_url" >"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "making the root failed (log: $log; $partial is removed by the next attempt)"
    fi
    [ -z "$(mounts_below "$partial")" ] || die "mounts left below $partial"
    [ -s "$partial/$marker" ] || die "no Swift toolchain in $partial"
    mv "$partial" "$root"
    echo "swift-root: made $root in $(($(date +%s) - start)) s ($(du -sh "$root" | cut -f1)): $(cat "$root/$marker")"
}

inside_run() {
    local dir=$1
    shift
    mount_root "$root" repo
    local envs=()
    while [ "$1" != -- ]; do
        envs+=("$1")
        shift
    done
    shift
    # shellcheck disable=SC2046
    chroot "$root" $(chroot_env) "${envs[@]}" sh -c 'cd "$1" && shift && exec "$@"' sh "$dir" "$@"
}

run() {
    local dir="$PWD" envs=()
    while [ $# -gt 0 ]; do
        case "$1" in
            -e) if [ -n "${!2+set}" ]; then envs+=("$2=${!2}"); fi; shift 2 ;;
            -C) dir="$(realpath "$2")"; shift 2 ;;
            --) shift; break ;;
            *) die "run: unknown option $1" ;;
        esac
    done
    [ $# -gt 0 ] || die "run: no command"
    case "$dir/" in "$repo"/*) ;; *) die "run: $dir is not inside $repo" ;; esac
    (
        flock -s 9
        [ -f "$root/$marker" ] || die "$root was removed meanwhile"
        unshare --mount --propagation private -- "$0" __inside_run "$dir" "${envs[@]}" -- "$@"
    ) 9>"$lock"
}

with_exclusive_lock() {
    mkdir -p "$(dirname "$lock")"
    exec 9>"$lock"
    flock -x 9
    "$@"
}

case "${1:-}" in
    create) with_exclusive_lock create ;;
    run)
        shift
        with_exclusive_lock create
        exec 9>&-
        run "$@"
        ;;
    remove) with_exclusive_lock safe_remove "$root" ;;
    __inside_create) shift; inside_create "$@" ;;
    __inside_run) shift; inside_run "$@" ;;
    *) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
