// Shared by the binding's test files: one phasekit-server per file, seeded (unless a file asks
// for another seed) with the world every binding's suite uses (tests/server/seeds/bindings.json),
// and small helpers.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { inspect } from "node:util";

import { Client, ERROR_CODES, PhaseError } from "phasekit";

import {
  REPO_ROOT,
  useServer as useLocalServer,
} from "../../tests/nodesupport/local-server.js";

export const SEED_PATH = join(REPO_ROOT, "tests/server/seeds/bindings.json");
export const NODE_DIR = join(dirname(fileURLToPath(import.meta.url)), "..");
export const APP = "interop-app";
export const E2EE_APP = "interop-e2ee";
export const REFS_APP = "refs-app";
export const DEV = "Development";
export const STAGING = "Staging";
export const PROD = "Production";

/** The stable error codes in order, as every binding's tests expect them (tests/error-codes.json). */
export const STABLE_ERROR_CODES = JSON.parse(
  readFileSync(join(REPO_ROOT, "tests/error-codes.json"), "utf8"),
).codes;

export const TOKENS = "GET /secrets/tokens/";
export const SECRETS = "GET /secrets/";

const SEED = JSON.parse(readFileSync(SEED_PATH, "utf8"));

/**
 * `{KEY: value}` of the seed's secrets in app/env at `path`, in seed order: what a service
 * account reads there, references unresolved.
 */
export function seededFolder(app, env, path) {
  const [secrets] = SEED.apps
    .filter((candidate) => candidate.name === app)
    .map((found) => found.secrets[env]);
  return Object.fromEntries(
    secrets
      .filter((secret) => (secret.path ?? "/") === path)
      .map((secret) => [secret.key, secret.value]),
  );
}

// interop-app/Development at the root path and in /db (the values tests expect come from
// the seed the server was started with).
export const ROOT_RAW = seededFolder(APP, DEV, "/");
export const DB_VALUES = seededFolder(APP, DEV, "/db");
/** interop-app/Development's /db folder (DB_VALUES), as the options of a read. */
export const DB_FOLDER = Object.freeze({ app: APP, env: DEV, path: "/db" });
export const RESOLVED_DATABASE_URL =
  "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app";
/** Every "path key" of interop-app/Development, over all folders, sorted. */
export const ALL_PATH_KEYS = [
  ...Object.keys(ROOT_RAW).map((key) => `/ ${key}`),
  ...Object.keys(DB_VALUES).map((key) => `/db ${key}`),
  "/one FEATURE_FLAG",
  "/two FEATURE_FLAG",
].sort();

/**
 * The shared server handle (local-server.js's useServer), seeded by default with the bindings'
 * world, with this file's helpers that take the server bound to it: `ctx.client()`,
 * `ctx.requests()`, `ctx.expectError(kind, promise)`, `ctx.expectThrow(kind, call)`.
 */
export function useServer(seedPath = SEED_PATH) {
  const handle = useLocalServer(seedPath);
  return Object.assign(handle, {
    client: (...args) => client(handle.server, ...args),
    requests: () => requests(handle.server),
    expectError: (...args) => expectError(handle.server, ...args),
    expectThrow: (...args) => expectThrow(handle.server, ...args),
  });
}

/**
 * One call of each write in interop-app/Development, to make one at a time: creating
 * `created` at the root, then changing to `changed.value` and deleting the secret
 * `changed.key` (in `folder` when given).
 */
export function everyWrite(phase, { created, changed, folder }) {
  const at = { app: APP, env: DEV, ...(folder && { path: folder }) };
  return [
    () => phase.create({ app: APP, env: DEV, secrets: [created] }),
    () => phase.update({ ...at, key: changed.key, value: changed.value }),
    () => phase.delete({ ...at, keys: [changed.key] }),
  ];
}

/** A phasekit client for one of the seeded tokens (by name). */
export function client(server, tokenName = "sa-token", options = {}) {
  return new Client({
    token: server.tokens[tokenName],
    host: server.url,
    ...options,
  });
}

/**
 * Asserts that `phase` reads DB_HOST of interop-app/Development: after a failure, proof that
 * the same client still works.
 */
export async function assertReadsDbHost(phase) {
  const secret = await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.equal(secret.value, "db.dev.internal");
}

/** `{KEY: value}` of a get() result (fails on duplicate keys). */
export function byKey(secrets) {
  const out = {};
  for (const s of secrets) {
    assert.ok(!(s.key in out), `duplicate key ${s.key} in result`);
    out[s.key] = s.value;
  }
  return out;
}

/** `{KEY: Secret}` of a get() result (fails on duplicate keys). */
export function secretsByKey(secrets) {
  const out = {};
  for (const s of secrets) {
    assert.ok(!(s.key in out), `duplicate key ${s.key} in result`);
    out[s.key] = s;
  }
  return out;
}

/** The server's request counts per "METHOD /path/" since the last reset. */
export async function requests(server) {
  return (await server.requests()).by_endpoint;
}

/** A request to the server's admin API (tokens, access) that local-server.js does not wrap. */
export async function admin(server, method, path, body) {
  const response = await fetch(`${server.url}${path}`, {
    method,
    headers: { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  assert.ok(response.ok, `${method} ${path} -> ${response.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** The URL of a loopback port nothing listens on. */
export async function closedPortUrl() {
  const probe = createServer();
  await new Promise((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address();
  await new Promise((done) => probe.close(done));
  return `http://127.0.0.1:${port}`;
}

/** The secret fields of a pss_ token (everything after `pss_...:vN:`). */
export function tokenParts(token) {
  return token.split(":").slice(2);
}

/**
 * Every secret value of the seed long enough to be telling (short ones such as "5432" can
 * appear in a port number), to prove that none of them leaks into a message.
 */
export function seededValues(seed) {
  const values = [];
  for (const app of seed.apps) {
    for (const secrets of Object.values(app.secrets ?? {})) {
      for (const s of secrets) {
        values.push(s.value);
        values.push(...Object.values(s.overrides ?? {}));
      }
    }
  }
  return values.filter((value) => value.length >= 6);
}

/** Fails if `text` contains a seeded secret value, one of `extra` or a token's secret part. */
export function assertNoLeak(server, text, ...extra) {
  for (const token of Object.values(server.tokens)) {
    for (const part of tokenParts(token)) {
      assert.ok(!text.includes(part), "a token part leaked");
    }
  }
  for (const value of [...seededValues(server.seed), ...extra]) {
    assert.ok(!text.includes(value), `a secret value leaked: ${value}`);
  }
}

/**
 * Awaits `promise`, which must reject with `kind`; checks the common contract of every
 * phasekit error (a PhaseError and an Error, a known code, plain-value fields, a message
 * without any token or seeded secret value) and returns the error.
 */
export async function expectError(server, kind, promise, ...extraSecrets) {
  let error;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `expected ${kind.name}, but the call succeeded`);
  return checkError(server, kind, error, ...extraSecrets);
}

/** Like expectError, for a synchronous call that must throw (the constructor). */
export function expectThrow(server, kind, call, ...extraSecrets) {
  let error;
  try {
    call();
  } catch (caught) {
    error = caught;
  }
  assert.ok(error, `expected ${kind.name}, but the call succeeded`);
  return checkError(server, kind, error, ...extraSecrets);
}

function checkError(server, kind, error, ...extraSecrets) {
  assert.ok(
    error instanceof kind,
    `expected ${kind.name}, got ${error?.name}: ${error?.message}`,
  );
  assert.ok(error instanceof PhaseError && error instanceof Error);
  assert.equal(error.name, error.constructor.name);
  assert.equal(Object.getPrototypeOf(error), error.constructor.prototype);
  assert.ok(ERROR_CODES.includes(error.code), `unknown code ${error.code}`);
  assert.ok(error.message.startsWith(`${error.code}: `), error.message);
  assert.equal(typeof error.retryable, "boolean");
  assert.ok(error.status === null || Number.isInteger(error.status));
  assert.ok(error.retryAfter === null || typeof error.retryAfter === "number");
  assert.equal(typeof error.stack, "string");
  assert.ok(error.stack.startsWith(`${error.name}: ${error.message}`));
  const shown = [
    error.message,
    error.stack,
    JSON.stringify(error),
    inspect(error, { showHidden: true, depth: Infinity }),
    String(error),
  ].join("\n");
  assertNoLeak(server, shown, ...extraSecrets);
  return error;
}

/**
 * Runs `source` as an ES module in a child `node` (cwd node/, so that `import "phasekit"`
 * resolves by self-reference) with exactly `env` plus PATH; resolves to
 * `{code, stdout, stderr}`.
 */
export function runNode(source, env = {}, { type = "module", args = [] } = {}) {
  const flag =
    type === "module" ? "--input-type=module" : "--input-type=commonjs";
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [flag, "-e", source, ...args], {
      cwd: NODE_DIR,
      env: { PATH: process.env.PATH, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk) => (stderr += chunk));
    child.on("error", fail);
    child.on("exit", (code) => done({ code, stdout, stderr }));
  });
}

/**
 * Resolves once `check()` (sync or async) returns a truthy value, polling every 20 ms; fails
 * with `what` after `timeoutMs`.
 */
export async function until(check, what, timeoutMs = 5000) {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(
      Date.now() - started < timeoutMs,
      `timed out waiting for ${what}`,
    );
    await new Promise((done) => setTimeout(done, 20));
  }
}

/** Asserts an error's code, HTTP status (null when no answer came) and retryability together. */
export function assertErrorFields(error, code, status, retryable) {
  assert.deepEqual(
    [error.code, error.status, error.retryable],
    [code, status, retryable],
  );
}
