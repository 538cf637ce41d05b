// Node soak driver of the client benchmark (bench/soak.py; the protocol of every soak driver is
// in bench/README.md, "Soak"): for --seconds, a watch polling every --watch-interval seconds on
// a client of its own, --callers async functions reading a client with a --cache-ttl cache
// (pausing --pause seconds between gets, every answer checked against --expect-secrets and
// --expect-checksum), and a sample of RSS, threads and open fds every second. Prints one JSON
// object. Loads the addon as node_driver.mjs does (NAPI_RS_NATIVE_LIBRARY_PATH for `make bench`).

import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { arenasKb } from "./node_memory.mjs";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { Client } = createRequire(resolve(repo, "node/package.json"))(
  "./index.js",
);

const names = [
  "url",
  "token",
  "app",
  "env",
  "rotating",
  "seconds",
  "watch-interval",
];
names.push(
  "cache-ttl",
  "pause",
  "callers",
  "expect-secrets",
  "expect-checksum",
);
const { values: args } = parseArgs({
  options: Object.fromEntries(names.map((name) => [name, { type: "string" }])),
});
for (const name of names) {
  if (args[name] === undefined) {
    console.error(`--${name} is required`);
    process.exit(2);
  }
}

/** Resident memory (kB), threads and open file descriptors of this process, and what the
 * memory is made of: V8's heap (kB it holds from the system) and malloc's arenas (kB). */
function sample() {
  const status = readFileSync("/proc/self/status", "ascii");
  const field = (name) =>
    Number(status.match(new RegExp(`^${name}:\\s+(\\d+)`, "m"))[1]);
  return [
    field("VmRSS"),
    field("Threads"),
    readdirSync("/proc/self/fd").length,
    Math.round(process.memoryUsage().heapTotal / 1024),
    arenasKb(),
  ];
}

const bytes = (text) => (text ? Buffer.byteLength(text, "utf8") : 0);
const counts = {
  gets: 0,
  wrong: 0,
  errors: 0,
  watch_events: 0,
  watch_wrong: 0,
  watch_errors: 0,
};
let firstProblem = null;
const count = (name, problem) => {
  counts[name] += 1;
  if (problem !== undefined) firstProblem ??= problem;
};

const scope = { app: args.app, env: args.env };
const expected = [
  Number(args["expect-secrets"]),
  Number(args["expect-checksum"]),
];
const start = performance.now();
const deadline = start + 1000 * Number(args.seconds);

const cached = new Client({
  token: args.token,
  host: args.url,
  cacheTtl: Number(args["cache-ttl"]),
});
const watched = new Client({ token: args.token, host: args.url });
const watch = watched.watch(
  { ...scope, interval: Number(args["watch-interval"]) },
  (error, change) => {
    if (error) count("watch_errors", `watch: ${error.message}`);
    else if (
      change.added.length ||
      change.removed.length ||
      change.changed.join() !== args.rotating
    )
      count("watch_wrong", `watch reported ${JSON.stringify(change)}`);
    else count("watch_events");
  },
);

async function caller() {
  while (performance.now() < deadline) {
    try {
      const secrets = await cached.get(scope);
      const sum = secrets.reduce(
        (n, s) => n + bytes(s.key) + bytes(s.value) + bytes(s.comment),
        0,
      );
      if (secrets.length !== expected[0] || sum !== expected[1])
        count("wrong", `${secrets.length} secrets, checksum ${sum}`);
    } catch (error) {
      count("errors", `get: ${error.message}`);
    }
    count("gets");
    await sleep(1000 * Number(args.pause));
  }
}

async function sampler() {
  const samples = [];
  for (let tick = start; tick < deadline; tick += 1000) {
    await sleep(Math.max(0, tick - performance.now()));
    samples.push(sample());
  }
  return samples;
}

const callers = Array.from({ length: Number(args.callers) }, caller);
const samples = await sampler();
await Promise.all(callers);
watch.close();
console.log(
  JSON.stringify({
    driver: "node",
    seconds: Math.round(performance.now() - start) / 1000,
    rss_kb: samples.map((s) => s[0]),
    threads: samples.map((s) => s[1]),
    fds: samples.map((s) => s[2]),
    v8_heap_kb: samples.map((s) => s[3]),
    arenas_kb: samples.map((s) => s[4]),
    ...counts,
    first_problem: firstProblem,
  }),
);
process.exit(0);
