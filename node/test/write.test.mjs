// Writes: create, update and delete, with comments, tags, paths, types and personal overrides.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  AmbiguousError,
  ConflictError,
  InvalidInputError,
  NotFoundError,
} from "phasekit";

import {
  APP,
  DEV,
  E2EE_APP,
  PROD,
  STAGING,
  assertErrorFields,
  byKey,
  useServer,
} from "./support.mjs";

const ctx = useServer();

/** The secret `key` at `path`, read raw (exactly as stored). */
async function one(phase, key, path = "/", env = DEV) {
  const found = await phase.get({
    app: APP,
    env,
    path,
    keys: [key],
    raw: true,
  });
  assert.equal(found.length, 1, `${key} at ${path}: ${found.length} found`);
  return found[0];
}

test("create writes every field as given and fills the defaults", async () => {
  const phase = ctx.client();
  const result = await phase.create({
    app: APP,
    env: DEV,
    secrets: [
      {
        key: "NEW_API_KEY",
        value: "created-value-1",
        comment: "made by a test",
        tags: ["payments", "beta"],
        path: "/svc",
        type: "config",
      },
      { key: "PLAIN_KEY", value: "plain-value-2" },
      { key: "lower_case_Key", value: "kept as written" },
    ],
  });
  assert.equal(result, undefined);
  const created = await one(phase, "NEW_API_KEY", "/svc");
  assert.deepEqual(
    [
      created.value,
      created.comment,
      created.tags,
      created.path,
      created.type,
      created.version,
    ],
    [
      "created-value-1",
      "made by a test",
      ["payments", "beta"],
      "/svc",
      "config",
      1,
    ],
  );
  const plain = await one(phase, "PLAIN_KEY");
  assert.deepEqual(
    [plain.value, plain.comment, plain.tags, plain.type],
    ["plain-value-2", "", [], "secret"],
  );
  assert.equal((await one(phase, "lower_case_Key")).value, "kept as written");
  const read = await phase.getSecret({
    app: APP,
    env: DEV,
    key: "NEW_API_KEY",
    path: "/svc",
  });
  assert.equal(read.value, "created-value-1");
});

test("create addresses the environment by name and the app by appId; others stay untouched", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  await phase.create({
    appId: server.appId(APP),
    env: STAGING,
    secrets: [{ key: "ONLY_IN_STAGING", value: "staging-only-value" }],
  });
  const read = await phase.getSecret({
    app: APP,
    env: STAGING,
    key: "ONLY_IN_STAGING",
  });
  assert.equal(read.value, "staging-only-value");
  assert.deepEqual(
    await phase.get({ app: APP, env: DEV, keys: ["ONLY_IN_STAGING"] }),
    [],
  );
  assert.deepEqual(
    await phase.get({ app: APP, env: PROD, keys: ["ONLY_IN_STAGING"] }),
    [],
  );
});

test("a sealed secret keeps its value on update and refuses a type change", async () => {
  const phase = ctx.client();
  await phase.create({
    app: APP,
    env: DEV,
    secrets: [{ key: "SEALED", value: "sealed-v1", type: "sealed" }],
  });
  const sealed = await one(phase, "SEALED");
  assert.deepEqual([sealed.value, sealed.type], ["sealed-v1", "sealed"]);
  await phase.update({ app: APP, env: DEV, key: "SEALED", value: "sealed-v2" });
  assert.equal((await one(phase, "SEALED")).value, "sealed-v1");
  const error = await ctx.expectError(
    InvalidInputError,
    phase.update({ app: APP, env: DEV, key: "SEALED", type: "secret" }),
    "sealed-v1",
  );
  assert.equal(error.status, 400);
});

test("create of nothing resolves without a request", async () => {
  const phase = ctx.client();
  assert.equal(
    await phase.create({ app: APP, env: DEV, secrets: [] }),
    undefined,
  );
  assert.deepEqual(await ctx.requests(), {});
});

test("create with an override (personal token) is alice's value; others see the shared one", async () => {
  const alice = ctx.client("alice-pat");
  await alice.create({
    app: APP,
    env: DEV,
    secrets: [
      { key: "WITH_OVERRIDE", value: "shared-value", override: "alice-value" },
    ],
  });
  const mine = await one(alice, "WITH_OVERRIDE");
  assert.deepEqual([mine.value, mine.overridden], ["alice-value", true]);
  const theirs = await one(ctx.client(), "WITH_OVERRIDE");
  assert.deepEqual([theirs.value, theirs.overridden], ["shared-value", false]);
});

test("create with an override needs a personal token; nothing is sent", async () => {
  const phase = ctx.client();
  const error = await ctx.expectError(
    InvalidInputError,
    phase.create({
      app: APP,
      env: DEV,
      secrets: [{ key: "NOPE", value: "v", override: "o" }],
    }),
  );
  assert.ok(error.message.includes("personal access token"), error.message);
  assert.deepEqual(await ctx.requests(), {});
  assert.deepEqual(await phase.get({ app: APP, env: DEV, keys: ["NOPE"] }), []);
});

for (const [item, fragment] of [
  [{ key: "K" }, "value is required"],
  [{ value: "v" }, "key is required"],
  [{ key: "K", value: 5 }, "value must be a string"],
  [{ key: "K", value: "v", tags: "one" }, "tags"],
  [{ key: "K", value: "v", comment: 7 }, "comment must be a string"],
  ["K=v", "key is required"],
  [{ key: "K", value: "v", type: "bogus" }, "unknown secret type"],
  [{ key: "  ", value: "v" }, "must not be empty"],
]) {
  test(`create rejects ${JSON.stringify(item)} (${fragment}) without writing`, async () => {
    const error = await ctx.expectError(
      InvalidInputError,
      ctx.client().create({ app: APP, env: DEV, secrets: [item] }),
    );
    assert.ok(error.message.includes(fragment), error.message);
    assert.equal((await ctx.requests())["POST /secrets/"], undefined);
  });
}

test("update of the value keeps comment and tags and bumps the version", async () => {
  const phase = ctx.client();
  const setPassword = (value) =>
    phase.update({
      app: APP,
      env: DEV,
      key: "DB_PASSWORD",
      path: "/db",
      value,
    });
  const before = await one(phase, "DB_PASSWORD", "/db");
  await setPassword("new-Pa55");
  const updated = await one(phase, "DB_PASSWORD", "/db");
  assert.deepEqual(
    [updated.value, updated.comment, updated.tags, updated.version],
    ["new-Pa55", "rotated monthly", ["database"], 2],
  );
  // createdAt stays, updatedAt moves on (ISO 8601 UTC: later times sort later as text).
  assert.equal(typeof before.createdAt, "string");
  assert.equal(updated.createdAt, before.createdAt);
  assert.ok(
    updated.updatedAt > before.updatedAt,
    `${updated.updatedAt} after ${before.updatedAt}`,
  );
  assert.equal(await setPassword(""), undefined);
  const emptied = await one(phase, "DB_PASSWORD", "/db");
  assert.deepEqual(
    [emptied.value, emptied.comment, emptied.tags, emptied.version],
    ["", "rotated monthly", ["database"], 3],
  );
  // A key that exists in one folder only needs no path.
  await phase.update({
    app: APP,
    env: DEV,
    key: "DB_HOST",
    value: "db2.dev.internal",
  });
  const host = await one(phase, "DB_HOST");
  assert.deepEqual(
    [host.value, host.comment],
    ["db2.dev.internal", "primary database host"],
  );
});

test("update of comment and tags replaces them; empty clears them", async () => {
  const phase = ctx.client();
  const target = { app: APP, env: DEV, key: "DB_PASSWORD", path: "/db" };
  await phase.update({ ...target, comment: "rotated weekly" });
  let read = await one(phase, "DB_PASSWORD", "/db");
  assert.deepEqual(
    [read.comment, read.value],
    ["rotated weekly", "dev-Pa55w0rd!"],
  );
  await phase.update({ ...target, tags: ["database", "critical"] });
  read = await one(phase, "DB_PASSWORD", "/db");
  assert.deepEqual(
    [read.tags, read.comment],
    [["database", "critical"], "rotated weekly"],
  );
  await phase.update({ ...target, tags: [], comment: "" });
  read = await one(phase, "DB_PASSWORD", "/db");
  assert.deepEqual(
    [read.tags, read.comment, read.value],
    [[], "", "dev-Pa55w0rd!"],
  );
});

test("update with newPath moves the secret, keeping value and comment", async () => {
  const phase = ctx.client();
  await phase.update({ app: APP, env: DEV, key: "DB_HOST", newPath: "/moved" });
  const moved = await one(phase, "DB_HOST", "/moved");
  assert.deepEqual(
    [moved.value, moved.comment],
    ["db.dev.internal", "primary database host"],
  );
  assert.deepEqual(
    await phase.get({ app: APP, env: DEV, path: "/", keys: ["DB_HOST"] }),
    [],
  );
  await ctx.expectError(
    NotFoundError,
    phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" }),
  );
});

test("update of the type switches secret to config and back", async () => {
  const phase = ctx.client();
  await phase.update({ app: APP, env: DEV, key: "DB_PORT", type: "config" });
  assert.equal((await one(phase, "DB_PORT")).type, "config");
  await phase.update({ app: APP, env: DEV, key: "DB_PORT", type: "secret" });
  assert.equal((await one(phase, "DB_PORT")).type, "secret");
});

test("update override sets alice's value and toggleOverride flips it; the shared value never changes", async () => {
  const alice = ctx.client("alice-pat");
  const port = async () => {
    const s = await one(alice, "DB_PORT");
    return [s.value, s.overridden];
  };
  assert.deepEqual(await port(), ["15432", true]);
  // Each change to alice's DB_PORT, then what she reads.
  for (const [change, expected] of [
    [{ toggleOverride: true }, ["5432", false]],
    [{ toggleOverride: true }, ["15432", true]],
    [{ override: "25432" }, ["25432", true]],
  ]) {
    await alice.update({ app: APP, env: DEV, key: "DB_PORT", ...change });
    assert.deepEqual(await port(), expected, JSON.stringify(change));
  }
  await alice.update({
    app: APP,
    env: DEV,
    key: "DB_HOST",
    override: "alice.local",
  });
  assert.equal((await one(alice, "DB_HOST")).value, "alice.local");
  const shared = await ctx.client().get({
    app: APP,
    env: DEV,
    path: "/",
    keys: ["DB_PORT", "DB_HOST"],
  });
  assert.deepEqual(byKey(shared), {
    DB_HOST: "db.dev.internal",
    DB_PORT: "5432",
  });
});

test("toggling an override that does not exist is invalid input", async () => {
  const alice = ctx.client("alice-pat");
  const error = await ctx.expectError(
    InvalidInputError,
    alice.update({
      app: APP,
      env: DEV,
      key: "STRIPE_SECRET_KEY",
      toggleOverride: true,
    }),
  );
  assert.ok(error.message.includes("no personal override"), error.message);
  assert.equal(
    (await one(alice, "STRIPE_SECRET_KEY")).value,
    "sk_test_51Interop",
  );
});

test("override updates need a personal token; nothing is sent", async () => {
  const phase = ctx.client();
  await ctx.expectError(
    InvalidInputError,
    phase.update({ app: APP, env: DEV, key: "DB_PORT", override: "x" }),
  );
  await ctx.expectError(
    InvalidInputError,
    phase.update({ app: APP, env: DEV, key: "DB_PORT", toggleOverride: true }),
  );
  assert.deepEqual(await ctx.requests(), {});
});

test("update of a key in two folders needs a path", async () => {
  const phase = ctx.client();
  const error = await ctx.expectError(
    AmbiguousError,
    phase.update({ app: APP, env: DEV, key: "FEATURE_FLAG", value: "x" }),
  );
  assert.ok(
    error.message.includes("/one") && error.message.includes("/two"),
    error.message,
  );
  await phase.update({
    app: APP,
    env: DEV,
    key: "FEATURE_FLAG",
    path: "/two",
    value: "flag-two-changed",
  });
  assert.equal(
    (await one(phase, "FEATURE_FLAG", "/two")).value,
    "flag-two-changed",
  );
  assert.equal(
    (await one(phase, "FEATURE_FLAG", "/one")).value,
    "flag-one-value",
  );
});

test("update of a missing key, or of a key at the wrong path, is not found", async () => {
  const phase = ctx.client();
  const error = await ctx.expectError(
    NotFoundError,
    phase.update({ app: APP, env: DEV, key: "NO_SUCH_KEY", value: "x" }),
  );
  assert.equal(error.code, "secret_not_found");
  await ctx.expectError(
    NotFoundError,
    phase.update({
      app: APP,
      env: DEV,
      key: "DB_HOST",
      path: "/db",
      value: "x",
    }),
  );
});

test("delete removes what exists and resolves to the keys not found, in order", async () => {
  const phase = ctx.client();
  const missing = await phase.delete({
    app: APP,
    env: DEV,
    keys: ["DB_HOST", "NOT_THERE", "STRIPE_SECRET_KEY", "ALSO_NOT"],
  });
  assert.deepEqual(missing, ["NOT_THERE", "ALSO_NOT"]);
  const remaining = byKey(
    await phase.get({ app: APP, env: DEV, path: "/", raw: true }),
  );
  assert.ok(!("DB_HOST" in remaining) && !("STRIPE_SECRET_KEY" in remaining));
  assert.ok("DB_PORT" in remaining);
  assert.deepEqual(
    await phase.delete({ app: APP, env: DEV, keys: ["DB_HOST"] }),
    ["DB_HOST"],
  );
});

test("delete with a path picks the folder; a key in two folders without one is ambiguous", async () => {
  const phase = ctx.client();
  await ctx.expectError(
    AmbiguousError,
    phase.delete({ app: APP, env: DEV, keys: ["FEATURE_FLAG"] }),
  );
  assert.deepEqual(
    await phase.delete({
      app: APP,
      env: DEV,
      keys: ["FEATURE_FLAG"],
      path: "/one",
    }),
    [],
  );
  const flags = await phase.get({ app: APP, env: DEV, keys: ["FEATURE_FLAG"] });
  assert.deepEqual(
    flags.map((s) => s.path),
    ["/two"],
  );
  assert.deepEqual(
    await phase.delete({ app: APP, env: DEV, keys: ["DB_USER"], path: "/" }),
    ["DB_USER"],
  );
  assert.deepEqual(
    await phase.delete({ app: APP, env: DEV, keys: ["DB_USER"], path: "/db" }),
    [],
  );
  const db = await phase.get({ app: APP, env: DEV, path: "/db", raw: true });
  assert.deepEqual(
    db.map((s) => s.key),
    ["DB_PASSWORD"],
  );
});

test("delete of nothing resolves to [] without a request", async () => {
  assert.deepEqual(
    await ctx.client().delete({ app: APP, env: DEV, keys: [] }),
    [],
  );
  assert.deepEqual(await ctx.requests(), {});
});

test("a duplicate create is a conflict (409); another path is fine", async () => {
  const phase = ctx.client();
  const error = await ctx.expectError(
    ConflictError,
    phase.create({
      app: APP,
      env: DEV,
      secrets: [{ key: "DB_HOST", value: "again-xyz" }],
    }),
    "again-xyz",
  );
  assertErrorFields(error, "conflict", 409, false);
  assert.equal((await one(phase, "DB_HOST")).value, "db.dev.internal");
  await phase.create({
    app: APP,
    env: DEV,
    secrets: [{ key: "DB_HOST", value: "elsewhere", path: "/other" }],
  });
  assert.equal((await one(phase, "DB_HOST", "/other")).value, "elsewhere");
});

test("create, update and delete round-trip on an end-to-end encrypted app", async () => {
  const phase = ctx.client();
  await phase.create({
    app: E2EE_APP,
    env: DEV,
    secrets: [{ key: "E2EE_NEW", value: "e2ee-secret", comment: "c" }],
  });
  const created = await phase.getSecret({
    app: E2EE_APP,
    env: DEV,
    key: "E2EE_NEW",
  });
  assert.equal(created.value, "e2ee-secret");
  await phase.update({
    app: E2EE_APP,
    env: DEV,
    key: "E2EE_NEW",
    value: "e2ee-changed",
  });
  const changed = await phase.getSecret({
    app: E2EE_APP,
    env: DEV,
    key: "E2EE_NEW",
  });
  assert.deepEqual([changed.value, changed.comment], ["e2ee-changed", "c"]);
  assert.deepEqual(
    await phase.delete({ app: E2EE_APP, env: DEV, keys: ["E2EE_NEW", "DSN"] }),
    [],
  );
  assert.deepEqual(await phase.get({ app: E2EE_APP, env: DEV }), []);
});

test("concurrent writes of distinct keys on one client each see their own values", async () => {
  const phase = ctx.client();
  await Promise.all(
    Array.from({ length: 8 }, async (_, i) => {
      const key = `PARALLEL_${i}`;
      await phase.create({
        app: APP,
        env: DEV,
        secrets: [{ key, value: `v1-${i}` }],
      });
      assert.equal(
        (await phase.getSecret({ app: APP, env: DEV, key })).value,
        `v1-${i}`,
      );
      await phase.update({ app: APP, env: DEV, key, value: `v2-${i}` });
      assert.equal(
        (await phase.getSecret({ app: APP, env: DEV, key })).value,
        `v2-${i}`,
      );
      assert.deepEqual(
        await phase.delete({ app: APP, env: DEV, keys: [key] }),
        [],
      );
    }),
  );
  const left = (await phase.get({ app: APP, env: DEV })).filter((s) =>
    s.key.startsWith("PARALLEL_"),
  );
  assert.deepEqual(left, []);
});
