// Test harness: starts phasekit-server with the interop seed, exposes its tokens, ids and
// admin API, and runs SDK calls that may never settle in a throw-away child process.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import Phase from "@phase.dev/phase-node";

import { useServer as useLocalServer } from "../../nodesupport/local-server.js";

const here = dirname(fileURLToPath(import.meta.url));

export const SEED_PATH = resolve(here, "../seed.json");
export const SEED = JSON.parse(readFileSync(SEED_PATH, "utf8"));

/** The seed's two apps: the usual one and the end-to-end-only one. */
export const APP = "interop-app";
export const E2EE_APP = "interop-e2ee";

/** Deep copy of the interop seed, for tests that want to add to it. */
export function seedCopy() {
  return structuredClone(SEED);
}

/**
 * phasekit-server with the interop seed for the calling file's tests, freshly seeded before each
 * (tests/nodesupport/local-server.js); its `server` is set once started.
 */
export function useServer() {
  return useLocalServer(SEED_PATH);
}

/** An initialised official SDK client for one of the seed's tokens (by name). */
export async function connect(server, tokenName) {
  const phase = new Phase(server.tokens[tokenName], server.url);
  await phase.init();
  return phase;
}

/**
 * `{phase, appId, get}`: connect() for one of the seed's tokens, the id of the app `appName`,
 * and `get(envName, options)`, the SDK's get() in that app.
 */
export async function connectToApp(server, tokenName, appName) {
  const phase = await connect(server, tokenName);
  const appId = server.appId(appName);
  const get = (envName, options = {}) =>
    phase.get({ appId, envName, ...options });
  return { phase, appId, get };
}

/** `{KEY: value}` of a get() result (fails on duplicate keys). */
export function byKey(secrets) {
  const out = {};
  for (const s of secrets) {
    if (s.key in out) throw new Error(`duplicate key ${s.key} in result`);
    out[s.key] = s.value;
  }
  return out;
}

/** Runs `fn` with console.warn captured: `{result, warnings}` (the SDK warns on references). */
export async function capturingWarnings(fn) {
  const warn = console.warn;
  const warnings = [];
  console.warn = (...args) => warnings.push(args.join(" "));
  try {
    return { result: await fn(), warnings };
  } finally {
    console.warn = warn;
  }
}

/**
 * Runs `new Phase(token, host).init()` with the seed's token `tokenName` then
 * `phase[method](options)` in a child process and reports how the call ended after `settleMs`:
 * `{init, settled: "resolved" | "rejected" | "pending", value, error, unhandled: [reasons],
 * logs: [console output]}`. Needed because the SDK's create/update/delete throw inside
 * `new Promise(async ...)` executors: a server error becomes an unhandled rejection and the
 * returned promise never settles, which would otherwise break the test runner.
 */
export function runSdkCallInChild(
  server,
  tokenName,
  method,
  options,
  settleMs = 1500,
) {
  const token = server.tokens[tokenName];
  const host = server.url;
  const script = join(here, "isolated-call.js");
  return new Promise((done, fail) => {
    const child = spawn(
      process.execPath,
      [script, JSON.stringify({ token, host, method, options, settleMs })],
      { cwd: here, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("exit", (code) => {
      try {
        done(JSON.parse(stdout));
      } catch {
        fail(
          new Error(
            `isolated SDK call failed (exit ${code}): ${stderr || stdout}`,
          ),
        );
      }
    });
  });
}

/**
 * Asserts that a call run by runSdkCallInChild initialised, then never settled and left exactly
 * `unhandled` as unhandled rejections (how the SDK's writes surface their errors).
 */
export function assertLeftPending(outcome, unhandled) {
  assert.equal(outcome.init, "ok");
  assert.equal(outcome.settled, "pending");
  assert.deepEqual(outcome.unhandled, unhandled);
}
