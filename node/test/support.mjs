// Shared by the binding's test files: one phasekit-server per file, seeded with the world every
// binding's suite uses (tests/server/seeds/bindings.json), and small helpers.

import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, beforeEach } from "node:test";

import { Client, ERROR_CODES, PhaseError } from "phasekit";

import {
  REPO_ROOT,
  startServer,
} from "../../tests/nodesupport/local-server.js";

export const SEED_PATH = join(REPO_ROOT, "tests/server/seeds/bindings.json");
export const APP = "interop-app";
export const E2EE_APP = "interop-e2ee";
export const REFS_APP = "refs-app";
export const DEV = "Development";

/**
 * Starts the server before the file's tests and stops it after; every test starts with a
 * freshly seeded world, no faults and zeroed request counters. Returns a handle whose
 * `server` is set once started.
 */
export function useServer() {
  const handle = { server: undefined };
  before(async () => {
    handle.server = await startServer(SEED_PATH);
  });
  after(async () => {
    await handle.server?.stop();
  });
  beforeEach(async () => {
    await handle.server.startTest();
  });
  return handle;
}

/** A phasekit client for one of the seeded tokens (by name). */
export function client(server, tokenName = "sa-token", options = {}) {
  return new Client({
    token: server.tokens[tokenName],
    host: server.url,
    ...options,
  });
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

/** Every secret value of the seed, to prove that none of them leaks into a message. */
export function seededValues(seed) {
  const values = [];
  for (const app of seed.apps) {
    for (const secrets of Object.values(app.secrets ?? {})) {
      for (const s of secrets) {
        if (s.value.length >= 4) values.push(s.value);
        for (const v of Object.values(s.overrides ?? {})) values.push(v);
      }
    }
  }
  return values;
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
  assert.ok(error instanceof kind, `expected ${kind.name}, got ${error?.name}: ${error?.message}`);
  assert.ok(error instanceof PhaseError && error instanceof Error);
  assert.equal(error.name, kind.name === "PhaseError" ? error.constructor.name : error.name);
  assert.ok(ERROR_CODES.includes(error.code), `unknown code ${error.code}`);
  assert.ok(error.message.startsWith(`${error.code}: `), error.message);
  assert.equal(typeof error.retryable, "boolean");
  assert.ok(error.status === null || Number.isInteger(error.status));
  assert.ok(error.retryAfter === null || typeof error.retryAfter === "number");
  const shown = `${error.message}\n${error.stack}\n${JSON.stringify(error)}`;
  for (const token of Object.values(server.tokens)) {
    for (const part of token.split(":").slice(2)) {
      assert.ok(!shown.includes(part), "a token part leaked into an error");
    }
  }
  for (const value of [...seededValues(server.seed), ...extraSecrets]) {
    assert.ok(!shown.includes(value), `a secret value leaked into an error: ${error.message}`);
  }
  return error;
}
