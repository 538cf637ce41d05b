#!/usr/bin/env bash
# Installs a phasekit wheel (or the sdist) the way a user does and uses it: a fresh virtual environment in a
# temporary directory outside the repository, `pip install WHEEL`, then tests/packages/
# python_user.py (copied there) against the local server. Also `twine check` and `auditwheel
# show` of the wheel; with EXPECTED_TAG (e.g. manylinux_2_17_x86_64) auditwheel must find the
# wheel consistent with that tag. With --inspect-only (a wheel for another platform, such as
# musllinux on a glibc machine, which auditwheel cannot resolve here: glibc's libc.so is a linker
# script), `twine check` and the tag the wheel declares; the caller checks its binary.
#
#   tests/packages/check-python.sh WHEEL [EXPECTED_TAG] [--inspect-only]
#
# Tools come from .venv/packages (created here); the server from $PHASEKIT_SERVER_BIN.
set -euo pipefail
wheel=$(realpath "${1:?usage: check-python.sh WHEEL [EXPECTED_TAG]}")
expected_tag=${2:-}
inspect_only=${3:-}
repo=$(cd "$(dirname "$0")/../.." && pwd)
tools="$repo/.venv/packages"
pip=(--quiet --disable-pip-version-check)

[ -x "$tools/bin/python" ] || python3 -m venv "$tools"
"$tools/bin/python" -m pip install "${pip[@]}" -r "$repo/tests/packages/requirements.txt"

echo "== $(basename "$wheel")"
"$tools/bin/twine" check --strict "$wheel"
if [ "$inspect_only" = --inspect-only ]; then
  tag=$(python3 -c 'import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); print(z.read(next(n for n in z.namelist() if n.endswith(".dist-info/WHEEL"))).decode())' "$wheel" | sed -n 's/^Tag: //p')
  echo "  declares $tag"
  [ "$tag" = "cp39-abi3-$expected_tag" ] || { echo "check-python: expected cp39-abi3-$expected_tag" >&2; exit 1; }
  exit 0
fi
case "$wheel" in
  *.whl) audit=$("$tools/bin/auditwheel" show "$wheel" 2>&1) || { echo "$audit"; exit 1; } ;;
  *) audit="an sdist: pip builds it from source (needs a Rust toolchain)" ;;
esac
echo "$audit" | sed 's/^/  /'
if [ -n "$expected_tag" ]; then
  # auditwheel names the most compatible tag the wheel is consistent with (its text wraps).
  grep -q "consistent with the following platform tag: \"$expected_tag\"" <<<"$(tr -s ' \n' ' ' <<<"$audit")" || {
    echo "check-python: $(basename "$wheel") is not consistent with $expected_tag" >&2
    exit 1
  }
fi

work=$(mktemp -d)
python3 -m venv "$work/venv"
# No cache: an sdist is built from source every time, not taken from pip's cache of wheels.
"$work/venv/bin/python" -m pip install "${pip[@]}" --no-cache-dir "$wheel"
cp "$repo/tests/packages/python_user.py" "$work/"
source "$repo/scripts/lib/local-server.sh"
start_local_server "$PHASEKIT_SERVER_BIN" "$repo/tests/server/seeds/demo.json" "$work" demo-sa-token
# Nothing of the repository on the path: only what the wheel installed can be imported.
(cd "$work" && env -i PATH="/usr/bin:/bin" HOME="$work" PHASE_HOST="$PHASE_HOST" \
  PHASE_SERVICE_TOKEN="$PHASE_SERVICE_TOKEN" "$work/venv/bin/python" -I python_user.py)
# The console script of the wheel: the command line, run by the extension.
(cd "$work" && env -i PATH="/usr/bin:/bin" HOME="$work" PHASE_HOST="$PHASE_HOST" \
  PHASE_SERVICE_TOKEN="$PHASE_SERVICE_TOKEN" "$work/venv/bin/phasekit" run --app demo-app -- \
  sh -c 'test "$DB_HOST" = localhost') && echo "phasekit console script: run ok"
