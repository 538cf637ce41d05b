// phasekit-server for Node test suites: start one per suite, speak its admin API.
//
// Shared by tests/interop/node (the official SDK) and node/test (the binding). The server
// binary comes from $PHASEKIT_SERVER_BIN, else from the Makefile's explicit-target build
// directory. Only Node's standard library is used.

import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, beforeEach } from "node:test";

const here = dirname(fileURLToPath(import.meta.url));

export const REPO_ROOT = resolve(here, "../..");
const DEFAULT_BIN = join(
  REPO_ROOT,
  "target/x86_64-unknown-linux-gnu/debug/phasekit-server",
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

/**
 * Starts phasekit-server on a free port with the seed at `seedPath`. Resolves once it listens
 * and its tokens file is written. Call `stop()` when done (also killed if this process exits).
 */
export async function startServer(seedPath) {
  const bin = serverBinary();
  const seed = JSON.parse(readFileSync(seedPath, "utf8"));
  const dir = mkdtempSync(join(tmpdir(), "phasekit-node-"));
  const tokensFile = join(dir, "tokens.json");
  const child = spawn(
    bin,
    ["--port", "0", "--seed", seedPath, "--tokens-out", tokensFile],
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
    seed,

    /** Replaces the whole world (default: the starting seed); tokens and ids change. */
    async reset(world = seed) {
      const fresh = await admin("PUT", "/_admin/world", world);
      server.tokens = fresh.tokens;
      server.state = fresh.state;
      await server.resetRequests();
      return fresh;
    },

    /** A fresh seeded world, no faults and zeroed counters. */
    async startTest() {
      await server.reset();
      await server.clearFaults();
    },

    /** `{total, by_endpoint: {"GET /secrets/": n, ...}}` since the last resetRequests(). */
    requests: () => admin("GET", "/_admin/requests"),
    resetRequests: () => admin("DELETE", "/_admin/requests"),

    /** Fault injection: latency_ms, fail_next, throttle_next, drop_next, rate_limit, ... */
    faults: (config) => admin("PUT", "/_admin/faults", config),
    clearFaults: () => admin("DELETE", "/_admin/faults"),

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

/**
 * Starts the server with the seed at `seedPath` before the calling file's tests and stops it
 * after; every test starts with a freshly seeded world, no faults and zeroed request counters.
 * Returns a handle whose `server` is set once started (the tests run after `before`).
 */
export function useServer(seedPath) {
  const handle = { server: undefined };
  before(async () => {
    handle.server = await startServer(seedPath);
  });
  after(async () => {
    await handle.server?.stop();
  });
  beforeEach(async () => {
    await handle.server.startTest();
  });
  return handle;
}
