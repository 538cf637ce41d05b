// Round trips made by the official Node SDK, counted by the server (PROTOCOL §6.2).

import assert from "node:assert/strict";
import { test } from "node:test";

import { APP, connect, connectToApp, useServer } from "./harness.js";

const TOKENS = "GET /secrets/tokens/";
const SECRETS = "GET /secrets/";

const ctx = useServer();

/** Counters since the last call, then zeroed. */
async function take() {
  const counts = (await ctx.server.requests()).by_endpoint;
  await ctx.server.resetRequests();
  return counts;
}

test("init() costs one /tokens/ request; each get without references one /secrets/", async () => {
  const phase = await connect(ctx.server, "sa-token");
  assert.deepEqual(await take(), { [TOKENS]: 1 });
  const appId = ctx.server.appId(APP);
  // First call after init: 2 requests in all (init + get), as PROTOCOL §6.2 says.
  assert.equal((await phase.get({ appId, envName: "Production" })).length, 2);
  assert.deepEqual(await take(), { [SECRETS]: 1 });
  // Later calls: 1 request each; the session (keys of every environment) is cached.
  for (const envName of ["Production", "Staging", "production"]) {
    await phase.get({ appId, envName });
    assert.deepEqual(await take(), { [SECRETS]: 1 }, envName);
  }
  await phase.get({ appId, envName: "Production", key: "DB_HOST" });
  assert.deepEqual(await take(), { [SECRETS]: 1 });
  await phase.get({ appId, envName: "Development", path: "/db" });
  assert.deepEqual(await take(), { [SECRETS]: 1 });
});

test("references cost one /secrets/ request per reference not among the fetched secrets", async () => {
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  await take();
  // All of Development: DATABASE_URL's four references are in the result; only
  // ${staging.DB_HOST} needs a request.
  await get("Development");
  assert.deepEqual(await take(), { [SECRETS]: 2 });
  // DATABASE_URL alone: one request for it, one per reference (/db/DB_USER,
  // /db/DB_PASSWORD, DB_HOST, DB_PORT).
  await get("Development", { key: "DATABASE_URL" });
  assert.deepEqual(await take(), { [SECRETS]: 5 });
  await get("Development", { key: "STAGING_DB_HOST" });
  assert.deepEqual(await take(), { [SECRETS]: 2 });
  // The reference cache lives for one get() only: repeating costs the same again.
  await get("Development", { key: "STAGING_DB_HOST" });
  assert.deepEqual(await take(), { [SECRETS]: 2 });
});

test("each new client instance fetches /tokens/ once", async () => {
  await connect(ctx.server, "alice-pat");
  await connect(ctx.server, "alice-pat");
  assert.deepEqual(await take(), { [TOKENS]: 2 });
});

test("create, update and delete cost one request each, without re-fetching /tokens/", async () => {
  const { phase, appId, get } = await connectToApp(ctx.server, "sa-token", APP);
  await take();
  await phase.create({
    appId,
    envName: "Staging",
    secrets: [
      { key: "A", value: "1", comment: "" },
      { key: "B", value: "2", comment: "" },
    ],
  });
  assert.deepEqual(await take(), { "POST /secrets/": 1 });
  const created = await get("Staging", { path: "/" });
  const ids = created
    .filter((s) => ["A", "B"].includes(s.key))
    .map((s) => s.id);
  assert.equal(ids.length, 2);
  await take();
  await phase.update({
    appId,
    envName: "Staging",
    secrets: ids.map((id) => ({ id, value: "changed" })),
  });
  assert.deepEqual(await take(), { "PUT /secrets/": 1 });
  await phase.delete({ appId, envName: "Staging", secretIds: ids });
  assert.deepEqual(await take(), { "DELETE /secrets/": 1 });
});
