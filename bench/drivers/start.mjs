// Process start of the client benchmark (bench/startup.py): load the SDK, build a client, get
// every secret once, print one line of JSON and exit.
//
//   node start.mjs --sdk phasekit|phase-node --url URL --token TOKEN --app APP --app-id ID
//       --env ENV [...]
//
// The other options of the benchmark's driver protocol are accepted and ignored. Nothing is
// loaded besides the SDK (no argument parser): a start is the SDK's, not a harness's.

import { createRequire } from "node:module";

const options = {};
for (let i = 2; i + 1 < process.argv.length; i += 2)
  options[process.argv[i]] = process.argv[i + 1];
const { "--sdk": sdk, "--url": url, "--token": token } = options;
const { "--app": app, "--app-id": appId, "--env": env } = options;
const nodePackage = createRequire(
  new URL("../../node/package.json", import.meta.url),
);

let began;
let secrets;
if (sdk === "phasekit") {
  const { Client } = nodePackage("./index.js");
  began = performance.now();
  secrets = await new Client({ token, host: url }).get({ app, env });
} else if (sdk === "phase-node") {
  const Phase = (await import(nodePackage.resolve("@phase.dev/phase-node")))
    .default;
  began = performance.now();
  const phase = new Phase(token, url);
  await phase.init();
  secrets = await phase.get({ appId, envName: env });
} else {
  console.error(`--sdk must be phasekit or phase-node, not ${sdk}`);
  process.exit(2);
}
const tookMs = performance.now() - began;

const bytes = (text) => (text ? Buffer.byteLength(text, "utf8") : 0);
const checksum = secrets.reduce(
  (n, s) => n + bytes(s.key) + bytes(s.value) + bytes(s.comment),
  0,
);
console.log(
  JSON.stringify({ secrets: secrets.length, checksum, times_ms: [tookMs] }),
);
