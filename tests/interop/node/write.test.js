// Writing with the official Node SDK: create, update by id, delete by id, personal
// overrides, the end-to-end-only app, and how refused writes surface.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  APP,
  E2EE_APP,
  assertLeftPending,
  byKey,
  connect,
  connectToApp,
  runSdkCallInChild,
  useServer,
} from "./harness.js";

const ctx = useServer();

/** sa-token's create() of `secrets` in interop-app/`envName`, in a child: it may never settle. */
function createInChild(envName, secrets) {
  return runSdkCallInChild(ctx.server, "sa-token", "create", {
    appId: ctx.server.appId(APP),
    envName,
    secrets,
  });
}

/** Sends `override` ({value, isActive}) for the Development secret `id` as `phase`'s own. */
function setOverride(phase, appId, id, override) {
  return phase.update({
    appId,
    envName: "Development",
    secrets: [{ id, override }],
  });
}

async function one(phase, appId, envName, key) {
  const found = await phase.get({ appId, envName, key });
  assert.equal(
    found.length,
    1,
    `expected exactly one ${key}, got ${found.length}`,
  );
  return found[0];
}

test("create then read back: value, comment, path and tags round-trip", async () => {
  const { phase, appId } = await connectToApp(ctx.server, "sa-token", APP);
  await phase.create({
    appId,
    envName: "Development",
    secrets: [
      { key: "NEW_PLAIN", value: "plain-value", comment: "" },
      {
        key: "NEW_FULL",
        value: "line1\nline2 ✓",
        comment: "made by node",
        path: "/svc/api",
        tags: ["database", "brand-new-tag"],
      },
    ],
  });
  const plain = await one(phase, appId, "Development", "NEW_PLAIN");
  assert.equal(plain.value, "plain-value");
  assert.equal(plain.comment, "");
  assert.equal(plain.path, "/");
  assert.deepEqual(plain.tags, []);
  assert.equal(plain.version, 1);

  const full = await one(phase, appId, "Development", "NEW_FULL");
  assert.equal(full.value, "line1\nline2 ✓");
  assert.equal(full.comment, "made by node");
  assert.equal(full.path, "/svc/api");
  assert.equal(typeof full.folder, "string"); // the folder chain was created
  assert.deepEqual([...full.tags].sort(), ["brand-new-tag", "database"]);

  // The new secrets are visible to other accounts and in path/tag queries.
  const alice = await connect(ctx.server, "alice-pat");
  const inPath = await alice.get({
    appId,
    envName: "Development",
    path: "/svc/api",
  });
  assert.deepEqual(byKey(inPath), { NEW_FULL: "line1\nline2 ✓" });
  const tagged = await alice.get({
    appId,
    envName: "Development",
    tags: ["brand-new-tag"],
  });
  assert.deepEqual(byKey(tagged), { NEW_FULL: "line1\nline2 ✓" });
  const all = await alice.get({ appId, envName: "Development" });
  assert.equal(all.length, 12);
});

test("create stores references that resolve on read", async () => {
  const { phase, appId } = await connectToApp(ctx.server, "sa-token", APP);
  await phase.create({
    appId,
    envName: "Production",
    secrets: [
      { key: "PROD_URL", value: "pg://${DB_HOST}:${DB_PORT}", comment: "" },
    ],
  });
  const url = await one(phase, appId, "Production", "PROD_URL");
  assert.equal(url.value, "pg://db.prod.internal:6432");
});

test("create with a lower-case key: the SDK upper-cases the name but digests it as given", async () => {
  // Node SDK quirk (PROTOCOL §6.3): the stored name is "MIXED_case" upper-cased, while its
  // key digest is of "Mixed_Case". get({key}) digests the upper-cased name, so it misses.
  const { phase, appId, get } = await connectToApp(ctx.server, "sa-token", APP);
  await phase.create({
    appId,
    envName: "Staging",
    secrets: [{ key: "Mixed_Case", value: "v", comment: "" }],
  });
  const staging = byKey(await get("Staging"));
  assert.equal(staging.MIXED_CASE, "v");
  assert.deepEqual(await get("Staging", { key: "Mixed_Case" }), []);
});

test("update by id then read back: new value, SDK wipes comment and tags", async () => {
  const { phase, appId } = await connectToApp(ctx.server, "sa-token", APP);
  const before = await one(phase, appId, "Development", "DB_PASSWORD");
  assert.equal(before.comment, "rotated monthly");
  assert.deepEqual(before.tags, ["database"]);

  await phase.update({
    appId,
    envName: "Development",
    secrets: [{ id: before.id, value: "n3w-Pa55w0rd!" }],
  });
  const after = await one(phase, appId, "Development", "DB_PASSWORD");
  assert.equal(after.id, before.id);
  assert.equal(after.value, "n3w-Pa55w0rd!");
  assert.equal(after.path, "/db"); // not sent, so kept by the server
  assert.equal(after.version, 2);
  // The SDK always sends comment (re-encrypted "" when absent) and tags ([] when absent);
  // the E2E endpoint stores the comment and replaces the tag set (PROTOCOL §4.4, §5.3).
  assert.equal(after.comment, "");
  assert.deepEqual(after.tags, []);
  // References see the new value.
  const url = await one(phase, appId, "Development", "DATABASE_URL");
  assert.equal(
    url.value,
    "postgres://app_user:n3w-Pa55w0rd!@db.dev.internal:5432/app",
  );
});

test("update by id can rename, move, re-comment and re-tag a secret", async () => {
  const { phase, appId, get } = await connectToApp(ctx.server, "sa-token", APP);
  const stripe = await one(phase, appId, "Development", "STRIPE_SECRET_KEY");
  await phase.update({
    appId,
    envName: "Development",
    secrets: [
      {
        id: stripe.id,
        key: "STRIPE_API_KEY",
        value: "sk_live_moved",
        comment: "moved by node",
        path: "/payments",
        tags: ["payments", "live"],
      },
    ],
  });
  assert.deepEqual(await get("Development", { key: "STRIPE_SECRET_KEY" }), []);
  const moved = await one(phase, appId, "Development", "STRIPE_API_KEY");
  assert.equal(moved.id, stripe.id);
  assert.equal(moved.value, "sk_live_moved");
  assert.equal(moved.comment, "moved by node");
  assert.equal(moved.path, "/payments");
  assert.deepEqual([...moved.tags].sort(), ["live", "payments"]);
  assert.equal(moved.version, 2);
  const inFolder = await get("Development", { path: "/payments" });
  assert.deepEqual(byKey(inFolder), { STRIPE_API_KEY: "sk_live_moved" });
});

test("delete by id then gone; the other secrets stay", async () => {
  const { phase, appId, get } = await connectToApp(ctx.server, "sa-token", APP);
  const [host, port] = await Promise.all([
    one(phase, appId, "Production", "DB_HOST"),
    one(phase, appId, "Production", "DB_PORT"),
  ]);
  await phase.delete({ appId, envName: "Production", secretIds: [host.id] });
  assert.deepEqual(await get("Production", { key: "DB_HOST" }), []);
  const left = await get("Production");
  assert.deepEqual(byKey(left), { DB_PORT: "6432" });
  assert.equal(left[0].id, port.id);
  // Deleted for everyone, and the name can be used again.
  const alice = await connect(ctx.server, "alice-pat");
  assert.deepEqual(
    await alice.get({ appId, envName: "Production", key: "DB_HOST" }),
    [],
  );
  await phase.create({
    appId,
    envName: "Production",
    secrets: [{ key: "DB_HOST", value: "db2.prod.internal", comment: "" }],
  });
  const again = await one(phase, appId, "Production", "DB_HOST");
  assert.equal(again.value, "db2.prod.internal");
  assert.notEqual(again.id, host.id);
});

test("personal override write: alice sets and disables her own DB_PORT", async () => {
  const appId = ctx.server.appId(APP);
  const alice = await connect(ctx.server, "alice-pat");
  const sa = await connect(ctx.server, "sa-token");
  const port = await one(alice, appId, "Development", "DB_PORT");

  // The request body carries override {value, isActive} (camelCase, as the server expects).
  await setOverride(alice, appId, port.id, { value: "25432", isActive: true });
  const mine = await one(alice, appId, "Development", "DB_PORT");
  assert.equal(mine.value, "25432");
  assert.deepEqual(
    { value: mine.override.value, isActive: mine.override.isActive },
    { value: "25432", isActive: true },
  );
  assert.equal((await one(sa, appId, "Development", "DB_PORT")).value, "5432");

  await setOverride(alice, appId, port.id, { value: "25432", isActive: false });
  const off = await one(alice, appId, "Development", "DB_PORT");
  assert.equal(off.value, "5432"); // inactive override: the shared value again
  assert.equal(off.override.isActive, false);
  assert.equal(off.override.value, "25432");
});

test("service account override writes are ignored", async () => {
  const appId = ctx.server.appId(APP);
  const sa = await connect(ctx.server, "sa-token");
  const port = await one(sa, appId, "Development", "DB_PORT");
  await setOverride(sa, appId, port.id, { value: "1", isActive: true });
  const after = await one(sa, appId, "Development", "DB_PORT");
  assert.equal(after.value, "5432");
  assert.equal(after.override, null);
  // alice's own override is untouched.
  const alice = await connect(ctx.server, "alice-pat");
  assert.equal(
    (await one(alice, appId, "Development", "DB_PORT")).value,
    "15432",
  );
});

test("end-to-end-only app: create, update and delete in interop-e2ee", async () => {
  const { phase, appId, get } = await connectToApp(
    ctx.server,
    "alice-pat",
    E2EE_APP,
  );
  await phase.create({
    appId,
    envName: "Production",
    secrets: [
      {
        key: "API_TOKEN",
        value: "e2ee-only",
        comment: "never seen by the server",
      },
    ],
  });
  const created = await one(phase, appId, "Production", "API_TOKEN");
  assert.equal(created.value, "e2ee-only");
  assert.equal(created.comment, "never seen by the server");
  await phase.update({
    appId,
    envName: "Production",
    secrets: [{ id: created.id, value: "e2ee-rotated" }],
  });
  assert.equal(
    (await one(phase, appId, "Production", "API_TOKEN")).value,
    "e2ee-rotated",
  );
  await phase.delete({ appId, envName: "Production", secretIds: [created.id] });
  assert.deepEqual(await get("Production"), []);
});

test("write environment names are case-sensitive in the SDK", async () => {
  // get() matches "development"; create/update/delete compare names exactly and throw
  // "Invalid environment name" (inside their promise executors, so it is an unhandled
  // rejection and the call never settles) before any request is made.
  await ctx.server.resetRequests();
  const outcome = await createInChild("development", [
    { key: "NOPE", value: "x", comment: "" },
  ]);
  assertLeftPending(outcome, ["Invalid environment name"]);
  // Only the child's init() reached the server.
  assert.deepEqual((await ctx.server.requests()).by_endpoint, {
    "GET /secrets/tokens/": 1,
  });
});

test("duplicate create is refused with 409 (surfaces as an unhandled rejection)", async () => {
  // The SDK throws inside a `new Promise(async ...)` executor, so the 409 never rejects the
  // returned promise: it stays pending and the error is an unhandled rejection.
  const outcome = await createInChild("Development", [
    { key: "DB_HOST", value: "dup", comment: "" },
  ]);
  assertLeftPending(outcome, [
    "Something went wrong: Error creating secrets: Error: 409: Duplicate secret found",
  ]);
  const phase = await connect(ctx.server, "sa-token");
  const hosts = await phase.get({
    appId: ctx.server.appId(APP),
    envName: "Development",
    key: "DB_HOST",
  });
  assert.deepEqual(byKey(hosts), { DB_HOST: "db.dev.internal" });
});
