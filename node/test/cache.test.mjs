// The in-memory cache (cacheTtl, cacheStaleIfError) through getResult, and stats(): reads
// within the TTL make no request, concurrent cold reads share one fetch, an unreachable server
// is bridged with the expired result (flagged "stale"), writes through the client clear it.
// The server's request counts prove what was sent; the `phase get` log line says where each
// result came from, without a value.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";

import { InvalidInputError, ServerError } from "phasekit";

import {
  APP,
  DB_FOLDER,
  DB_VALUES,
  DEV,
  SECRETS,
  TOKENS,
  assertNoLeak,
  byKey,
  client,
  runNode,
  useServer,
} from "./support.mjs";

const ctx = useServer();

test("a second getResult within cacheTtl makes no request and says memory", async () => {
  const phase = ctx.client("sa-token", { cacheTtl: 60 });
  const first = await phase.getResult(DB_FOLDER);
  assert.equal(first.source, "network");
  assert.deepEqual(byKey(first.secrets), DB_VALUES);
  const before = await ctx.requests();
  for (let i = 0; i < 5; i++) {
    const again = await phase.getResult(DB_FOLDER);
    assert.equal(again.source, "memory");
    assert.deepEqual(byKey(again.secrets), DB_VALUES);
  }
  assert.deepEqual(await ctx.requests(), before);
  assert.deepEqual(before, { [TOKENS]: 1, [SECRETS]: 1 });
  // get() shares the cache; other options are another entry.
  assert.deepEqual(byKey(await phase.get(DB_FOLDER)), DB_VALUES);
  assert.equal((await ctx.requests())[SECRETS], 1);
  await phase.get({ ...DB_FOLDER, keys: ["DB_USER", "DB_PASSWORD"] });
  assert.equal((await ctx.requests())[SECRETS], 2);
});

test("without cacheTtl every getResult goes to the network", async () => {
  const phase = ctx.client();
  for (let i = 0; i < 2; i++) {
    assert.equal((await phase.getResult(DB_FOLDER)).source, "network");
  }
  assert.equal((await ctx.requests())[SECRETS], 2);
});

test("20 concurrent getResult on a cold cache make exactly one GET /secrets/", async () => {
  const { server } = ctx;
  const phase = ctx.client("sa-token", { cacheTtl: 60 });
  // Slow answers, so that every read is waiting while the first fetch is under way.
  await server.faults({ latency_ms: 200, path: "/secrets/" });
  const results = await Promise.all(
    Array.from({ length: 20 }, () => phase.getResult(DB_FOLDER)),
  );
  for (const result of results) {
    assert.deepEqual(byKey(result.secrets), DB_VALUES);
  }
  const sources = results.map((result) => result.source);
  assert.equal(sources.filter((source) => source === "network").length, 1);
  assert.equal(sources.filter((source) => source === "memory").length, 19);
  assert.equal((await ctx.requests())[SECRETS], 1);
  const stats = phase.stats();
  assert.equal(stats.cacheMisses, 1);
  assert.equal(stats.cacheHits, 19);
});

/**
 * A caching client (no retries) that read DB_FOLDER from the network, then waited `waitMs` past its
 * cacheTtl, with the server now failing every request: `{phase, fresh}` (the first result).
 */
async function expiredWhileServerFails(
  server,
  { cacheTtl, cacheStaleIfError, waitMs },
) {
  const phase = client(server, "sa-token", {
    cacheTtl,
    cacheStaleIfError,
    maxRetries: 0,
  });
  const fresh = await phase.getResult(DB_FOLDER);
  assert.equal(fresh.source, "network");
  await sleep(waitMs);
  await server.faults({ fail_next: 1000, fail_status: 503 });
  return { phase, fresh };
}

test("past cacheTtl with the server failing, the last result is served as stale", async () => {
  const { server } = ctx;
  const { phase, fresh } = await expiredWhileServerFails(server, {
    cacheTtl: 0.3,
    cacheStaleIfError: 30,
    waitMs: 400,
  });
  const stale = await phase.getResult(DB_FOLDER);
  assert.equal(stale.source, "stale");
  assert.deepEqual(byKey(stale.secrets), byKey(fresh.secrets));
  // A stale result is not kept as fresh: the next read tries the server again.
  assert.equal((await phase.getResult(DB_FOLDER)).source, "stale");
  assert.equal((await ctx.requests())[SECRETS], 3);
  await server.clearFaults();
  assert.equal((await phase.getResult(DB_FOLDER)).source, "network");
});

test("past cacheStaleIfError the server's failure is the result", async () => {
  const { server } = ctx;
  const { phase } = await expiredWhileServerFails(server, {
    cacheTtl: 0.2,
    cacheStaleIfError: 0.2,
    waitMs: 500,
  });
  await ctx.expectError(ServerError, phase.getResult(DB_FOLDER));
});

test("writes through the client clear its cache; other clients' writes wait for the TTL", async () => {
  const phase = ctx.client("sa-token", { cacheTtl: 60 });
  const other = ctx.client();
  assert.equal((await phase.getResult(DB_FOLDER)).source, "network");

  await other.update({
    ...DB_FOLDER,
    key: "DB_USER",
    value: "cache-other-user",
  });
  const cached = await phase.getResult(DB_FOLDER);
  assert.equal(cached.source, "memory");
  assert.equal(byKey(cached.secrets).DB_USER, DB_VALUES.DB_USER);

  await phase.update({ ...DB_FOLDER, key: "DB_USER", value: "cache-own-user" });
  const fresh = await phase.getResult(DB_FOLDER);
  assert.equal(fresh.source, "network");
  assert.equal(byKey(fresh.secrets).DB_USER, "cache-own-user");

  await phase.create({
    app: APP,
    env: DEV,
    secrets: [{ key: "CACHE_NEW", value: "cache-new-value", path: "/db" }],
  });
  const created = await phase.getResult(DB_FOLDER);
  assert.equal(created.source, "network");
  assert.equal(byKey(created.secrets).CACHE_NEW, "cache-new-value");

  await phase.delete({ ...DB_FOLDER, keys: ["CACHE_NEW"] });
  const deleted = await phase.getResult(DB_FOLDER);
  assert.equal(deleted.source, "network");
  assert.ok(!("CACHE_NEW" in byKey(deleted.secrets)));

  // refresh() forgets cached results too.
  assert.equal((await phase.getResult(DB_FOLDER)).source, "memory");
  await phase.refresh();
  assert.equal((await phase.getResult(DB_FOLDER)).source, "network");
});

test("stats() counts requests, cache hits and misses, retries and decryption", async () => {
  const { server } = ctx;
  const phase = ctx.client("sa-token", { cacheTtl: 60 });
  const empty = phase.stats();
  assert.deepEqual(empty, {
    requests: 0,
    retries: 0,
    rateLimited: 0,
    failures: 0,
    cacheHits: 0,
    cacheMisses: 0,
    offlineServed: 0,
    decryptedFields: 0,
    decryptTimeMs: 0,
  });
  assert.equal(Object.getPrototypeOf(empty), Object.prototype);

  await phase.get(DB_FOLDER);
  const cold = phase.stats();
  assert.deepEqual(
    [cold.requests, cold.retries, cold.failures, cold.cacheHits],
    [2, 0, 0, 0],
  );
  assert.equal(cold.cacheMisses, 1);
  // Key, value and comment of each of the two secrets (a missing comment is not decrypted).
  assert.ok(cold.decryptedFields >= 4, `${cold.decryptedFields}`);
  assert.equal(typeof cold.decryptTimeMs, "number");
  assert.ok(cold.decryptTimeMs > 0);

  await phase.get(DB_FOLDER);
  const warm = phase.stats();
  assert.deepEqual(
    [warm.requests, warm.cacheHits, warm.cacheMisses],
    [2, 1, 1],
  );
  assert.equal(warm.decryptedFields, cold.decryptedFields);

  // A retried 503 and a 429: each attempt counts.
  const plain = ctx.client();
  await plain.get(DB_FOLDER);
  await server.faults({
    fail_next: 1,
    throttle_next: 1,
    retry_after: 0,
    path: "/secrets/",
  });
  await plain.get(DB_FOLDER);
  const retried = plain.stats();
  assert.deepEqual(
    [retried.requests, retried.retries, retried.failures, retried.rateLimited],
    [5, 2, 2, 1],
  );
  // Without cacheTtl there is no cache to hit or miss; an unchanged secret is not decrypted
  // again.
  assert.deepEqual([retried.cacheHits, retried.cacheMisses], [0, 0]);
  assert.equal(retried.decryptedFields, cold.decryptedFields);
});

test("cache options are checked under their JavaScript names", () => {
  for (const [options, message] of [
    [{ cacheTtl: 0 }, /cacheTtl must be a positive number of seconds/],
    [{ cacheTtl: -1 }, /cacheTtl must be a positive number of seconds/],
    [{ cacheTtl: Infinity }, /cacheTtl must be a positive number of seconds/],
    [
      { cacheTtl: 1, cacheStaleIfError: NaN },
      /cacheStaleIfError must be a positive number of seconds/,
    ],
    [{ cacheStaleIfError: 5 }, /cacheStaleIfError needs cacheTtl/],
    [{ cacheTtl: "60" }, /cacheTtl must be a number/],
  ]) {
    const error = ctx.expectThrow(InvalidInputError, () =>
      ctx.client("sa-token", options),
    );
    assert.match(error.message, message);
  }
});

test("with debug, each get logs one `phase get` line with its source, never a value", async () => {
  const { server } = ctx;
  const { code, stdout, stderr } = await runNode(
    `
      import { Client } from "phasekit";
      const client = new Client({ debug: true, cacheTtl: 60 });
      const options = { app: "${APP}", env: "${DEV}", path: "/db" };
      const sources = [];
      for (let i = 0; i < 2; i++) sources.push((await client.getResult(options)).source);
      console.log(JSON.stringify(sources));
    `,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
      PHASE_HOST: server.url,
    },
  );
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), ["network", "memory"]);
  const lines = stderr.split("\n").filter((line) => /phase get/.test(line));
  assert.equal(lines.length, 2, stderr);
  assert.match(
    lines[0],
    /secrets=2\b.*source="?network"?.*decrypted=\d+.*took=/,
  );
  assert.match(lines[1], /secrets=2\b.*source="?memory"?.*decrypted=0\b/);
  assertNoLeak(server, stderr, "DB_PASSWORD", "DB_USER");
});

test("stale results are announced with a warning on stderr, without debug", async () => {
  const { server } = ctx;
  const { code, stdout, stderr } = await runNode(
    `
      import { Client } from "phasekit";
      const client = new Client({ cacheTtl: 0.2, cacheStaleIfError: 30, maxRetries: 0 });
      const options = { app: "${APP}", env: "${DEV}", path: "/db" };
      await client.getResult(options);
      await new Promise((done) => setTimeout(done, 300));
      await fetch("${server.url}/_admin/faults", {
        method: "PUT",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ fail_next: 1000, fail_status: 503 }),
      });
      console.log((await client.getResult(options)).source);
    `,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
      PHASE_HOST: server.url,
    },
  );
  assert.equal(code, 0, stderr);
  assert.equal(stdout.trim(), "stale");
  assert.match(stderr, /WARN.*serving an expired cached result/);
  assert.doesNotMatch(stderr, /phase get|phase request/);
  assertNoLeak(server, stderr, "DB_PASSWORD", "DB_USER");
});
