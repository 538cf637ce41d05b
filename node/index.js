// The package's CommonJS entry: the native addon of this platform, loaded by binding.js (which
// napi-rs generates), with phasekit's own message when no addon for the platform is installed
// instead of the loader's generic one.
"use strict";

const { platform, arch } = process;
const pkg = require("./package.json");

/** `linux-x64-gnu`, `darwin-arm64`, `win32-x64-msvc`: how napi-rs names a platform's addon. */
function platformName() {
  if (platform === "linux") {
    const glibc = process.report?.getReport?.()?.header?.glibcVersionRuntime;
    return `linux-${arch}-${glibc ? "gnu" : "musl"}`;
  }
  return platform === "win32" ? `win32-${arch}-msvc` : `${platform}-${arch}`;
}

/** The platform name of a Rust target triple of `napi.targets`, e.g. `x86_64-pc-windows-msvc`. */
function nameOfTriple(triple) {
  const [cpu, , os, abi] = triple.split("-");
  const npmArch = { x86_64: "x64", aarch64: "arm64" }[cpu] ?? cpu;
  const npmPlatform = { windows: "win32" }[os] ?? os;
  return abi ? `${npmPlatform}-${npmArch}-${abi}` : `${npmPlatform}-${npmArch}`;
}

function noAddon(cause) {
  const name = platformName();
  const supported = pkg.napi.targets.map(nameOfTriple).sort();
  const advice = supported.includes(name)
    ? `install ${pkg.name}-${name}@${pkg.version}, which npm installs with ${pkg.name} unless ` +
      "optional dependencies are omitted (--omit=optional, --no-optional) or node_modules was " +
      "installed on another platform or C library (e.g. copied from a glibc host into an " +
      "Alpine image)"
    : `there is no prebuilt addon for it (prebuilt: ${supported.join(", ")}); build one from ` +
      "source with `npx napi build --platform --release` in the package's repository";
  const error = new Error(
    `phasekit: no native addon for ${name} is installed: ${advice}`,
  );
  error.code = "PHASEKIT_NO_ADDON";
  error.cause = cause;
  return error;
}

try {
  module.exports = require("./binding.js");
} catch (error) {
  if (!String(error?.message).startsWith("Cannot find native binding"))
    throw error;
  throw noAddon(error);
}
