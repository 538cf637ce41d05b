// The offline cache (offlineCacheDir, offline): the server's answers kept as ciphertext in
// private files, served by a new client when the server cannot be reached (flagged "offline"),
// never in place of a refusal; offline mode without any request, refusing writes with an
// OfflineError.

import assert from "node:assert/strict";
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";

import {
  Client,
  InvalidInputError,
  NotFoundError,
  OfflineError,
  PermissionDeniedError,
} from "phasekit";

import {
  APP,
  DB_FOLDER,
  DB_VALUES,
  DEV,
  PROD,
  assertNoLeak,
  byKey,
  client,
  closedPortUrl,
  everyWrite,
  runNode,
  useServer,
} from "./support.mjs";

const ctx = useServer();

const dirs = [];
/** A fresh temporary directory, removed after the file's tests. */
function cacheDir() {
  const dir = mkdtempSync(join(tmpdir(), "phasekit-node-offline-"));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Every file under `dir`. */
function files(dir) {
  return readdirSync(dir, { recursive: true })
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile());
}

/** A client of the seeded service account whose offline cache is `dir`. */
function cached(server, dir, options = {}) {
  return client(server, "sa-token", { offlineCacheDir: dir, ...options });
}

test("answers are kept as ciphertext in files only this user can read", async () => {
  const { server } = ctx;
  const dir = cacheDir();
  const result = await cached(server, dir).getResult(DB_FOLDER);
  assert.equal(result.source, "network");
  assert.deepEqual(byKey(result.secrets), DB_VALUES);
  const stored = files(dir);
  // The session and the listing of /db.
  assert.equal(stored.length, 2, stored.join("\n"));
  for (const file of stored) {
    assert.equal(statSync(file).mode & 0o777, 0o600, file);
    const text = readFileSync(file, "utf8");
    assertNoLeak(server, text, "DB_PASSWORD", "rotated monthly");
  }
});

test("a new client serves the cache when the server fails, and says so", async () => {
  const { server } = ctx;
  const dir = cacheDir();
  const online = await cached(server, dir).getResult(DB_FOLDER);
  await server.faults({ fail_next: 1000, fail_status: 503 });
  // No retries, no session in memory: each request fails at once.
  const cold = cached(server, dir, { maxRetries: 0 });
  const result = await cold.getResult(DB_FOLDER);
  assert.equal(result.source, "offline");
  assert.deepEqual(byKey(result.secrets), byKey(online.secrets));
  // The session and the listing.
  assert.equal(cold.stats().offlineServed, 2);
  assert.ok(cold.stats().requests >= 2);
  // Once the server answers again, so does the network.
  await server.clearFaults();
  assert.equal((await cold.getResult(DB_FOLDER)).source, "network");
});

test("a dropped connection is bridged too, and a fallback is warned about on stderr", async () => {
  const { server } = ctx;
  const dir = cacheDir();
  await cached(server, dir).get(DB_FOLDER);
  const { code, stdout, stderr } = await runNode(
    `
      import { Client } from "phasekit";
      await fetch("${server.url}/_admin/faults", {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ drop_next: 1000 }),
      });
      const client = new Client({ maxRetries: 0 });
      const result = await client.getResult({ app: "${APP}", env: "${DEV}", path: "/db" });
      console.log(JSON.stringify({ source: result.source, count: result.secrets.length }));
    `,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
      PHASE_HOST: server.url,
      PHASE_OFFLINE_CACHE_DIR: dir,
    },
  );
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), { source: "offline", count: 2 });
  assert.match(stderr, /WARN.*serving the offline cache/);
  assertNoLeak(server, stderr, "DB_PASSWORD", "DB_USER");
});

test("a refusal (403) is never papered over with the cache", async () => {
  const { server } = ctx;
  const dir = cacheDir();
  await cached(server, dir).get(DB_FOLDER);
  await server.faults({ fail_next: 1000, fail_status: 403 });
  const phase = cached(server, dir, { maxRetries: 0 });
  const error = await ctx.expectError(
    PermissionDeniedError,
    phase.getResult(DB_FOLDER),
  );
  assert.equal(error.status, 403);
  assert.equal(phase.stats().offlineServed, 0);
});

test("offline: true reads the cache without a single request", async () => {
  const { server } = ctx;
  const dir = cacheDir();
  const online = await cached(server, dir).getResult(DB_FOLDER);

  // Nothing listens there, and nothing is sent anyway.
  const unreachable = new Client({
    token: server.tokens["sa-token"],
    host: await closedPortUrl(),
    offlineCacheDir: dir,
    offline: true,
  });
  const result = await unreachable.getResult(DB_FOLDER);
  assert.equal(result.source, "offline");
  assert.deepEqual(byKey(result.secrets), byKey(online.secrets));
  assert.equal(unreachable.stats().requests, 0);
  assert.equal(unreachable.stats().offlineServed, 2);

  // The server would drop every connection: still nothing reaches it.
  await server.faults({ drop_next: 1000 });
  await server.resetRequests();
  const offline = cached(server, dir, { offline: true });
  assert.deepEqual(byKey(await offline.get(DB_FOLDER)), DB_VALUES);
  // One key is served from the stored listing (offline there is no digest lookup).
  const one = await offline.get({ ...DB_FOLDER, keys: ["DB_USER"] });
  assert.deepEqual(byKey(one), { DB_USER: DB_VALUES.DB_USER });
  assert.equal(offline.stats().requests, 0);
  assert.deepEqual(await ctx.requests(), {});
});

test("offline: true refuses writes and unknown scopes with an OfflineError", async () => {
  const { server } = ctx;
  const dir = cacheDir();
  await cached(server, dir).get(DB_FOLDER);
  const offline = cached(server, dir, { offline: true });
  const writes = everyWrite(offline, {
    created: { key: "OFFLINE_NEW", value: "offline-new-value" },
    changed: { key: "DB_USER", value: "offline-changed-value" },
    folder: DB_FOLDER.path,
  });
  for (const write of writes) {
    // One at a time: a rejection nobody awaits yet would count as unhandled.
    const error = await ctx.expectError(
      OfflineError,
      write(),
      "offline-new-value",
      "offline-changed-value",
    );
    assert.equal(error.code, "offline_unavailable");
    assert.equal(error.retryable, false);
  }
  // A scope that was never fetched online is not in the cache.
  const missing = await ctx.expectError(
    OfflineError,
    offline.get({ app: APP, env: PROD }),
  );
  assert.equal(missing.code, "offline_unavailable");
  // Names that are not in the stored session are still "not found".
  await ctx.expectError(
    NotFoundError,
    offline.get({ app: "no-such-app", env: DEV }),
  );
  assert.equal(offline.stats().requests, 0);
  assert.deepEqual(await ctx.requests(), {
    "GET /secrets/tokens/": 1,
    "GET /secrets/": 1,
  });
});

test("offline: true without a directory, or an empty one, is an InvalidInputError", () => {
  const error = ctx.expectThrow(InvalidInputError, () =>
    ctx.client("sa-token", { offline: true }),
  );
  assert.match(error.message, /offline cache directory/);
  const empty = ctx.expectThrow(InvalidInputError, () =>
    ctx.client("sa-token", { offlineCacheDir: "" }),
  );
  assert.match(empty.message, /offlineCacheDir must not be empty/);
  const wrong = ctx.expectThrow(InvalidInputError, () =>
    ctx.client("sa-token", { offline: "yes" }),
  );
  assert.match(wrong.message, /offline must be a boolean/);
});

test("PHASE_OFFLINE_CACHE_DIR and PHASE_OFFLINE configure Client.fromEnv()", async () => {
  const { server } = ctx;
  const dir = cacheDir();
  await cached(server, dir).get(DB_FOLDER);
  const { code, stdout, stderr } = await runNode(
    `
      import { Client, OfflineError } from "phasekit";
      const client = Client.fromEnv();
      const result = await client.getResult({ app: "${APP}", env: "${DEV}", path: "/db" });
      let refused = null;
      try {
        await client.create({ app: "${APP}", env: "${DEV}", secrets: [{ key: "K", value: "v" }] });
      } catch (error) {
        refused = error instanceof OfflineError ? error.code : String(error);
      }
      console.log(JSON.stringify({
        source: result.source,
        keys: result.secrets.map((s) => s.key).sort(),
        requests: client.stats().requests,
        refused,
      }));
    `,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
      PHASE_HOST: await closedPortUrl(),
      PHASE_OFFLINE_CACHE_DIR: dir,
      PHASE_OFFLINE: "1",
    },
  );
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), {
    source: "offline",
    keys: ["DB_PASSWORD", "DB_USER"],
    requests: 0,
    refused: "offline_unavailable",
  });
});
