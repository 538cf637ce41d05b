#!/usr/bin/env node
// The `phasekit` command line of the npm package: the Rust program, run through the addon.
"use strict";

const { runCli } = require("../index.js");

// Node's own handlers of these signals end the process, and the command line's handlers pass
// them on to Node's: with listeners, Node only takes note, and `run` forwards them to its child.
for (const signal of [
  "SIGINT",
  "SIGTERM",
  "SIGHUP",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
]) {
  process.on(signal, () => {});
}

process.exitCode = runCli(process.argv.slice(2));
