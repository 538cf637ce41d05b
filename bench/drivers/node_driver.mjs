// Node driver of the client benchmark: phasekit's binding or the official SDK
// (@phase.dev/phase-node 3.1.1, from node/node_modules).
//
//   node node_driver.mjs --sdk phasekit|phase-node --url URL --token TOKEN --app APP
//       --app-id ID --env ENV --mode cold|warm --iterations N [--warmup K]
//       [--cache-ttl SECONDS] [--env-id ID] [--offline-dir DIR [--offline-max-age SECONDS]]
//
// The protocol of every driver (bench/README.md): cold = K untimed and N timed rounds of
// "new client, get every secret" (for the official SDK a new client includes its init());
// warm = one client, its first get timed alone, then K untimed and N timed gets. Prints one
// JSON object: times in ms, the number of secrets, a checksum (bytes of keys, values and
// comments), and RSS in kB before the first client and at the peak. bench/run.py points
// NAPI_RS_NATIVE_LIBRARY_PATH at the release addon for `make bench`; without it, node/'s
// index.js loads the addon next to it (the debug build of `make node`). `--cache-ttl`
// (phasekit only) gives every client an in-memory cache of that many seconds (`cacheTtl`), so
// a warm client's repeated gets make no request; without it, no cache. phasekit only too:
// `--env-id` reads the app (`--app-id`) and the environment by id (`get({appId, env})`), so that
// a cold get sends its two requests together; `--offline-dir` gives every client an offline
// cache there (`offlineCacheDir`), and `--offline-max-age` lets a new client serve a young
// stored answer at once (`offlineMaxAge`); then the JSON says where the last get's secrets
// came from (`source`).

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
    "env-id": { type: "string" },
    "offline-dir": { type: "string" },
    "offline-max-age": { type: "string" },
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
const offlineMaxAge =
  args["offline-max-age"] === undefined ? undefined : Number(args["offline-max-age"]);
const phasekitOnly = ["env-id", "offline-dir", "offline-max-age"].filter(
  (o) => args[o] !== undefined,
);
if (phasekitOnly.length > 0 && args.sdk !== "phasekit") {
  console.error(`--${phasekitOnly[0]} is an option of phasekit's client only`);
  process.exit(2);
}
if (
  (args["env-id"] !== undefined && !args["app-id"]) ||
  (offlineMaxAge !== undefined && (!(offlineMaxAge > 0) || args["offline-dir"] === undefined))
) {
  console.error("--env-id needs --app-id; --offline-max-age positive seconds and --offline-dir");
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

// Where the last get's secrets came from (`GetResult.source`), when the driver asks for it.
let lastSource = null;

async function phasekitSdk() {
  const { Client } = nodePackage("./index.js");
  const target =
    args["env-id"] === undefined
      ? { app: args.app, env: args.env }
      : { appId: args["app-id"], env: args["env-id"] };
  const offline = args["offline-dir"] !== undefined;
  return {
    newClient: async () =>
      new Client({
        token: args.token,
        host: args.url,
        ...(cacheTtl === undefined ? {} : { cacheTtl }),
        ...(offline ? { offlineCacheDir: args["offline-dir"] } : {}),
        ...(offlineMaxAge === undefined ? {} : { offlineMaxAge }),
      }),
    get: async (client) => {
      if (!offline) return summary(await client.get(target));
      const result = await client.getResult(target);
      lastSource = result.source;
      return summary(result.secrets);
    },
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
    source: lastSource,
  }),
);
// Open keep-alive sockets of an SDK must not keep the process waiting.
process.exit(0);
