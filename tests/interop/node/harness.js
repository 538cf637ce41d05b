// Test harness: starts phasekit-server with the interop seed, exposes its tokens, ids and
// admin API, and runs SDK calls that may never settle in a throw-away child process.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

import Phase from "@phase.dev/phase-node";

const here = dirname(fileURLToPath(import.meta.url));

export const SEED_PATH = resolve(here, "../seed.json");
export const SEED = JSON.parse(readFileSync(SEED_PATH, "utf8"));

const DEFAULT_BIN = resolve(
  here,
  "../../../target/x86_64-unknown-linux-gnu/debug/phasekit-server",
);
const START_TIMEOUT_MS = 20_000;

export function serverBinary() {
  const bin = process.env.PHASEKIT_SERVER_BIN
    ? resolve(process.env.PHASEKIT_SERVER_BIN)
    : DEFAULT_BIN;
  if (!existsSync(bin)) {
    throw new Error(
      `phasekit-server binary not found at ${bin}. Build it with ` +
        "`cargo build -p phasekit-server --target x86_64-unknown-linux-gnu` " +
        "or point PHASEKIT_SERVER_BIN at it.",
    );
  }
  return bin;
}

/** Deep copy of the interop seed, for tests that want to add to it. */
export function seedCopy() {
  return structuredClone(SEED);
}

/**
 * Starts phasekit-server on a free port with the interop seed. Resolves once it listens and
 * its tokens file is written. Call `stop()` when done (also killed if this process exits).
 */
export async function startServer() {
  const bin = serverBinary();
  const dir = mkdtempSync(join(tmpdir(), "phasekit-node-interop-"));
  const tokensFile = join(dir, "tokens.json");
  const child = spawn(
    bin,
    ["--port", "0", "--seed", SEED_PATH, "--tokens-out", tokensFile],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);

  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
  const exited = new Promise((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );

  // The server writes the tokens file, then prints its "listening" line.
  const started = Date.now();
  while (!/listening on http:\/\/\S+/.test(stdout)) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `phasekit-server exited early (${child.exitCode ?? child.signalCode}): ${stderr || stdout}`,
      );
    }
    if (Date.now() - started > START_TIMEOUT_MS) {
      child.kill("SIGKILL");
      throw new Error(
        `phasekit-server did not start within ${START_TIMEOUT_MS} ms: ${stderr}`,
      );
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  const summary = JSON.parse(readFileSync(tokensFile, "utf8"));

  const admin = async (method, path, body) => {
    const res = await fetch(`${summary.url}${path}`, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return text ? JSON.parse(text) : null;
  };

  const server = {
    url: summary.url,
    tokens: summary.tokens,
    state: summary.state,

    /** Replaces the whole world (default: the interop seed); tokens and ids change. */
    async reset(seed = SEED) {
      const fresh = await admin("PUT", "/_admin/world", seed);
      server.tokens = fresh.tokens;
      server.state = fresh.state;
      await server.resetRequests();
      return fresh;
    },

    /** `{total, by_endpoint: {"GET /secrets/": n, ...}}` since the last resetRequests(). */
    requests: () => admin("GET", "/_admin/requests"),
    resetRequests: () => admin("DELETE", "/_admin/requests"),

    /** Id of an app by name in the current state. */
    appId(name) {
      const app = server.state.apps.find((a) => a.name === name);
      if (!app) throw new Error(`no app named ${name}`);
      return app.id;
    },

    /** Id of an environment (by app and environment name) in the current state. */
    envId(appName, envName) {
      const app = server.state.apps.find((a) => a.name === appName);
      const id = app?.environments[envName];
      if (!id) throw new Error(`no environment ${appName}/${envName}`);
      return id;
    },

    async stop() {
      process.off("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGINT"); // the server shuts down cleanly on Ctrl-C
        const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return server;
}

/** An initialised official SDK client for one of the seed's tokens (by name). */
export async function connect(server, tokenName) {
  const phase = new Phase(server.tokens[tokenName], server.url);
  await phase.init();
  return phase;
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
 * Runs `new Phase(token, host).init()` then `phase[method](options)` in a child process and
 * reports how the call ended after `settleMs`: `{init, settled: "resolved" | "rejected" |
 * "pending", value, error, unhandled: [reasons], logs: [console output]}`. Needed because
 * the SDK's create/update/delete throw inside `new Promise(async ...)` executors: a server
 * error becomes an unhandled rejection and the returned promise never settles, which would
 * otherwise break the test runner.
 */
export function runSdkCallInChild({
  token,
  host,
  method,
  options,
  settleMs = 1500,
}) {
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
