#!/usr/bin/env bash
# Packs phasekit's npm packages as they are published: one platform package per addon given
# (node/npm/<platform>/ with its phasekit.<platform>.node) and the main package (JavaScript
# entry points and types, no addon), whose optionalDependencies name every platform package of
# `napi.targets` at the same version, so that npm installs the one that fits the machine.
#
#   scripts/pack-node.sh OUT_DIR ADDON...     e.g. ADDON = target/dist/node/phasekit.linux-x64-gnu.node
#
# Writes OUT_DIR/phasekit-VERSION.tgz and OUT_DIR/phasekit-<platform>-VERSION.tgz.
set -euo pipefail
out=$(realpath -m "${1:?usage: pack-node.sh OUT_DIR ADDON...}")
shift
repo=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
pack() { (cd "$1" && npm pack --silent --pack-destination "$out" >/dev/null); }

for addon in "$@"; do
  file=$(basename "$addon")
  platform=${file#phasekit.}
  platform=${platform%.node}
  [ -d "$repo/node/npm/$platform" ] || { echo "pack-node: no package node/npm/$platform for $file" >&2; exit 1; }
  cp -r "$repo/node/npm/$platform" "$stage/$platform"
  cp "$addon" "$stage/$platform/$file"
  cp "$repo/LICENSE" "$stage/$platform/"
  pack "$stage/$platform"
done

mkdir "$stage/main"
node - "$repo/node" "$stage/main" <<'JS'
const fs = require("node:fs");
const path = require("node:path");
const [source, target] = process.argv.slice(2);
const manifest = JSON.parse(fs.readFileSync(path.join(source, "package.json"), "utf8"));
for (const file of [...manifest.files, "README.md"]) {
  fs.mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
  fs.copyFileSync(path.join(source, file), path.join(target, file));
}
fs.copyFileSync(path.join(source, "..", "LICENSE"), path.join(target, "LICENSE"));
// What `napi prepublish` adds: the platform packages, each installed only where it fits.
manifest.optionalDependencies = Object.fromEntries(
  fs
    .readdirSync(path.join(source, "npm"))
    .sort()
    .map((platform) => [`${manifest.name}-${platform}`, manifest.version]),
);
delete manifest.devDependencies;
delete manifest.scripts;
fs.writeFileSync(path.join(target, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
JS
pack "$stage/main"
ls "$out"
