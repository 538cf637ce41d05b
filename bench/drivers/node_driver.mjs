// Node driver of the client benchmark: phasekit's binding or the official SDK
// (@phase.dev/phase-node 3.1.1, from node/node_modules).
//
//   node node_driver.mjs --sdk phasekit|phase-node --url URL --token TOKEN --app APP
//       --app-id ID --env ENV --mode cold|warm --iterations N [--warmup K]
//       [--cache-ttl SECONDS]
//
// The protocol of every driver (bench/README.md): cold = K untimed and N timed rounds of
// "new client, get every secret" (for the official SDK a new client includes its init());
// warm = one client, its first get timed alone, then K untimed and N timed gets. Prints one
// JSON object: times in ms, the number of secrets, a checksum (bytes of keys, values and
// comments), and RSS in kB before the first client and at the peak. bench/run.py points
// NAPI_RS_NATIVE_LIBRARY_PATH at the release addon for `make bench`; without it, node/'s
// index.js loads the addon next to it (the debug build of `make node`). `--cache-ttl`
// (phasekit only) gives every client an in-memory cache of that many seconds (`cacheTtl`), so
// a warm client's repeated gets make no request; without it, no cache.

import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const nodePackage = createRequire(resolve(repo, "node/package.json"));

const { values: args } = parseArgs({
  options: {
    sdk: { type: "string" },
    url: { type: "string" },
    token: { type: "string" },
    app: { type: "string" },
    "app-id": { type: "string" },
    env: { type: "string" },
    mode: { type: "string" },
    iterations: { type: "string", default: "1" },
    warmup: { type: "string", default: "0" },
    "cache-ttl": { type: "string" },
  },
});
for (const required of ["sdk", "url", "token", "app", "env", "mode"]) {
  if (!args[required]) {
    console.error(`--${required} is required`);
    process.exit(2);
  }
}
if (!["cold", "warm"].includes(args.mode)) {
  console.error("--mode must be cold or warm");
  process.exit(2);
}
const cacheTtl = args["cache-ttl"] === undefined ? undefined : Number(args["cache-ttl"]);
if (cacheTtl !== undefined && (!(cacheTtl > 0) || args.sdk !== "phasekit")) {
  console.error("--cache-ttl needs a positive number of seconds, and phasekit's client");
  process.exit(2);
}

/** VmRSS (current) or VmHWM (peak) of this process, in kB. */
function rssKb(field) {
  const line = readFileSync("/proc/self/status", "ascii")
    .split("\n")
    .find((l) => l.startsWith(field));
  return line ? Number(line.split(/\s+/)[1]) : 0;
}

const bytes = (text) => (text ? Buffer.byteLength(text, "utf8") : 0);
const summary = (secrets) => [
  secrets.length,
  secrets.reduce((n, s) => n + bytes(s.key) + bytes(s.value) + bytes(s.comment), 0),
];

async function phasekitSdk() {
  const { Client } = nodePackage("./index.js");
  return {
    newClient: async () =>
      new Client({
        token: args.token,
        host: args.url,
        ...(cacheTtl === undefined ? {} : { cacheTtl }),
      }),
    get: async (client) => summary(await client.get({ app: args.app, env: args.env })),
  };
}

async function phaseNodeSdk() {
  if (!args["app-id"]) {
    console.error("--app-id is required for the official Node SDK");
    process.exit(2);
  }
  const entry = nodePackage.resolve("@phase.dev/phase-node");
  const Phase = (await import(pathToFileURL(entry).href)).default;
  return {
    newClient: async () => {
      const phase = new Phase(args.token, args.url);
      await phase.init();
      return phase;
    },
    get: async (phase) =>
      summary(await phase.get({ appId: args["app-id"], envName: args.env })),
  };
}

const sdks = { phasekit: phasekitSdk, "phase-node": phaseNodeSdk };
if (!(args.sdk in sdks)) {
  console.error(`--sdk must be one of ${Object.keys(sdks).join(", ")}`);
  process.exit(2);
}

const { newClient, get } = await sdks[args.sdk](); // loads the SDK: part of the baseline
const iterations = Math.max(1, Number(args.iterations));
const warmup = Number(args.warmup);
const baseline = rssKb("VmRSS:");
const times = [];
let firstMs = null;
let result = [0, 0];
if (args.mode === "warm") {
  let start = performance.now();
  const client = await newClient();
  result = await get(client);
  firstMs = performance.now() - start;
  for (let i = 0; i < warmup + iterations; i++) {
    start = performance.now();
    result = await get(client);
    const took = performance.now() - start;
    if (i >= warmup) times.push(took);
  }
} else {
  for (let i = 0; i < warmup + iterations; i++) {
    const start = performance.now();
    const client = await newClient();
    result = await get(client);
    const took = performance.now() - start;
    if (typeof client.close === "function") await client.close();
    if (i >= warmup) times.push(took);
  }
}
const round3 = (x) => Math.round(x * 1000) / 1000;
console.log(
  JSON.stringify({
    driver: `node-${args.sdk}`,
    mode: args.mode,
    times_ms: times.map(round3),
    first_ms: firstMs === null ? null : round3(firstMs),
    secrets: result[0],
    checksum: result[1],
    baseline_rss_kb: baseline,
    peak_rss_kb: rssKb("VmHWM:"),
  }),
);
// Open keep-alive sockets of an SDK must not keep the process waiting.
process.exit(0);
