// Requests per call, counted by the server (cold get 2, warm get 1); refresh, close, sessionTtl.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";

import {
  APP,
  DB_FOLDER,
  DEV,
  E2EE_APP,
  PROD,
  REFS_APP,
  RESOLVED_DATABASE_URL,
  SECRETS,
  TOKENS,
  admin,
  assertReadsDbHost,
  byKey,
  useServer,
} from "./support.mjs";

const ctx = useServer();

test("a cold get costs /secrets/tokens/ + /secrets/, each warm get one /secrets/", async () => {
  const phase = ctx.client();
  const first = byKey(await phase.get({ app: REFS_APP, env: DEV }));
  assert.equal(first.GOOD_REF, "host=target-value-1234");
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: 1 });
  for (let round = 2; round <= 5; round += 1) {
    assert.deepEqual(
      byKey(await phase.get({ app: REFS_APP, env: DEV })),
      first,
    );
    assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: round });
  }
});

test("each read on a warm client costs one request; apps and environments cost none", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  await server.resetRequests();
  await phase.getSecret({ app: APP, env: DEV, key: "DB_PORT" });
  await phase.export({ app: APP, env: DEV, format: "json", path: "/db" });
  await phase.get({ app: APP, env: DEV, raw: true });
  await phase.get({ app: E2EE_APP, env: DEV });
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 4 });
  await phase.apps();
  await phase.environments({ app: APP });
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 4 });
});

test("references to other folders cost one request per folder; raw needs only the listing", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  const resolved = byKey(await phase.get({ app: APP, env: DEV, path: "/" }));
  assert.equal(resolved.DATABASE_URL, RESOLVED_DATABASE_URL);
  assert.equal(resolved.STAGING_DB_HOST, "db.staging.internal");
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: 3 });
  await server.resetRequests();
  await phase.get({ app: APP, env: DEV, path: "/", raw: true });
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 1 });
  await server.resetRequests();
  await phase.get({ app: APP, env: DEV });
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 2 });
});

test("writes cost what they must: create 1 POST, update lookup + PUT, delete lookups + 1 DELETE", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  await server.resetRequests();
  await phase.create({
    app: APP,
    env: DEV,
    secrets: [
      { key: "A", value: "1" },
      { key: "B", value: "2" },
    ],
  });
  assert.deepEqual(await ctx.requests(), { "POST /secrets/": 1 });
  await server.resetRequests();
  await phase.update({ app: APP, env: DEV, key: "A", value: "3" });
  assert.deepEqual(await ctx.requests(), {
    [SECRETS]: 1,
    "PUT /secrets/": 1,
  });
  await server.resetRequests();
  assert.deepEqual(
    await phase.delete({ app: APP, env: DEV, keys: ["A", "B"] }),
    [],
  );
  assert.deepEqual(await ctx.requests(), {
    [SECRETS]: 2,
    "DELETE /secrets/": 1,
  });
  await server.resetRequests();
  assert.deepEqual(await phase.delete({ app: APP, env: DEV, keys: ["A"] }), [
    "A",
  ]);
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 1 });
});

test("refresh drops the cached session without a request; the next call fetches it again", async () => {
  const phase = ctx.client();
  await phase.get(DB_FOLDER);
  await phase.get(DB_FOLDER);
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: 2 });
  const refreshed = phase.refresh();
  assert.ok(refreshed instanceof Promise);
  assert.equal(await refreshed, undefined);
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: 2 });
  assert.equal(byKey(await phase.get(DB_FOLDER)).DB_USER, "app_user");
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 2, [SECRETS]: 3 });
});

test("refresh picks up access granted after the session was cached", async () => {
  const { server } = ctx;
  const reader = ctx.client("reader-token");
  assert.deepEqual(
    (await reader.apps()).map((a) => a.name),
    [APP],
  );
  await admin(server, "POST", "/_admin/access", {
    account: "reader-sa",
    app: APP,
    environment: PROD,
  });
  const names = async () =>
    (await reader.environments({ app: APP })).map((e) => e.name);
  assert.deepEqual(await names(), [DEV], "still cached");
  await reader.refresh();
  assert.deepEqual(await names(), [DEV, PROD]);
  assert.equal(
    (await reader.getSecret({ app: APP, env: PROD, key: "DB_PORT" })).value,
    "6432",
  );
});

test("close drops the session and the client stays usable", async () => {
  const phase = ctx.client();
  await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.equal(await phase.close(), undefined);
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: 1 });
  await assertReadsDbHost(phase);
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 2, [SECRETS]: 2 });
  await phase.close();
  await phase.close();
  await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 3, [SECRETS]: 3 });
});

test("sessionTtl expires the cached keys", async () => {
  const phase = ctx.client("sa-token", { sessionTtl: 0.3 });
  await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.equal((await ctx.requests())[TOKENS], 1);
  await sleep(500);
  await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 2, [SECRETS]: 3 });
});

test("concurrent cold gets on one client share one session fetch", async () => {
  const phase = ctx.client();
  const results = await Promise.all(
    Array.from({ length: 20 }, () => phase.get(DB_FOLDER)),
  );
  for (const result of results) {
    assert.deepEqual(byKey(result), {
      DB_USER: "app_user",
      DB_PASSWORD: "dev-Pa55w0rd!",
    });
  }
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: 20 });
});
