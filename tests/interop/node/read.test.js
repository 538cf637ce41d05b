// Reading with the official Node SDK: all paths, one key, a path, tags, comments,
// references, personal overrides (camelCase responses) and the end-to-end-only app.

import assert from "node:assert/strict";
import { test } from "node:test";

import Phase from "@phase.dev/phase-node";

import {
  APP,
  E2EE_APP,
  byKey,
  capturingWarnings,
  connect,
  connectToApp,
  seedCopy,
  useServer,
} from "./harness.js";

const DATABASE_URL =
  "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app";

const ctx = useServer();

test("3.1.1 has no implicit init(): get() before init() rejects without a request", async () => {
  // PROTOCOL §6.3: "Invalid app id" until init() has loaded the session (the implicit init
  // of the later GitHub version is not in the newest npm release).
  const phase = new Phase(ctx.server.tokens["sa-token"], ctx.server.url);
  const outcome = await phase
    .get({ appId: ctx.server.appId(APP), envName: "Development" })
    .then(
      () => "resolved",
      (error) => `rejected: ${error}`,
    );
  assert.equal(outcome, "rejected: Invalid app id");
  assert.equal((await ctx.server.requests()).total, 0);
  await phase.init();
  assert.equal(
    (await phase.get({ appId: ctx.server.appId(APP), envName: "Production" }))
      .length,
    2,
  );
});

test("get all: every path of Development, decrypted and references resolved", async () => {
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  const secrets = await get("Development");
  assert.deepEqual(byKey(secrets), {
    DB_HOST: "db.dev.internal",
    DB_PORT: "5432",
    DB_USER: "app_user",
    DB_PASSWORD: "dev-Pa55w0rd!",
    DATABASE_URL,
    STAGING_DB_HOST: "db.staging.internal",
    STRIPE_SECRET_KEY: "sk_test_51Interop",
    EMPTY_VALUE: "",
    MULTILINE_CERT: "-----BEGIN CERT-----\nMIIBinterop\n-----END CERT-----",
    UNICODE_VALUE: "héllo wörld ✓ 日本語",
  });
  const paths = Object.fromEntries(secrets.map((s) => [s.key, s.path]));
  assert.equal(paths.DB_USER, "/db");
  assert.equal(paths.DB_PASSWORD, "/db");
  assert.equal(paths.DB_HOST, "/");
  // Every secret belongs to the requested environment; /db secrets sit in a folder.
  const envId = ctx.server.envId(APP, "Development");
  for (const s of secrets) {
    assert.equal(s.environment, envId);
    assert.equal(s.version, 1);
    assert.equal(typeof s.id, "string");
    if (s.path === "/") assert.equal(s.folder, null, s.key);
    else assert.equal(typeof s.folder, "string", s.key);
  }
});

test("responses are camelCase because the SDK sends X-Use-Camel-Case: true", async () => {
  const phase = await connect(ctx.server, "sa-token");
  const [secret] = await phase.get({
    appId: ctx.server.appId(APP),
    envName: "Development",
    key: "DB_HOST",
  });
  assert.match(secret.keyDigest, /^[0-9a-f]{64}$/);
  assert.match(secret.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
  assert.match(secret.updatedAt, /^\d{4}-\d\d-\d\dT/);
  for (const snake of ["key_digest", "created_at", "updated_at"]) {
    assert.equal(snake in secret, false, `${snake} should be camelCased`);
  }
  assert.equal(secret.override, null); // service accounts never see overrides
  assert.equal(secret.type, "secret");
  assert.equal(secret.lifecycle, "static");
});

test("environment names are matched case-insensitively by get", async () => {
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  const secrets = await get("production");
  assert.deepEqual(byKey(secrets), {
    DB_HOST: "db.prod.internal",
    DB_PORT: "6432",
  });
});

test("one key: the SDK sends the key digest and gets exactly that secret", async () => {
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  const found = await get("Development", { key: "DB_PASSWORD" });
  assert.equal(found.length, 1);
  assert.equal(found[0].key, "DB_PASSWORD");
  assert.equal(found[0].value, "dev-Pa55w0rd!");
  assert.equal(found[0].path, "/db");
  // The SDK upper-cases the name before digesting, so lower case finds it too.
  const lower = await get("Development", { key: "db_host" });
  assert.deepEqual(byKey(lower), { DB_HOST: "db.dev.internal" });
  // An unknown name digests to nothing on the server: an empty list, not an error.
  const none = await get("Development", { key: "NO_SUCH_KEY" });
  assert.deepEqual(none, []);
});

test("a path: only the secrets of exactly that folder", async () => {
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  const db = await get("Development", { path: "/db" });
  assert.deepEqual(byKey(db), {
    DB_USER: "app_user",
    DB_PASSWORD: "dev-Pa55w0rd!",
  });
  // "/" is the root folder only (not recursive): /db is excluded.
  const root = await get("Development", { path: "/" });
  assert.equal(root.length, 8);
  assert.ok(root.every((s) => s.path === "/"));
  assert.equal(byKey(root).DB_USER, undefined);
  const missing = await get("Development", { path: "/nowhere" });
  assert.deepEqual(missing, []);
});

test("tags: any-of, exact names (filtered by the SDK)", async () => {
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  const database = await get("Development", { tags: ["database"] });
  assert.deepEqual(byKey(database), { DB_PASSWORD: "dev-Pa55w0rd!" });
  assert.deepEqual(database[0].tags, ["database"]);
  const either = await get("Development", { tags: ["payments", "database"] });
  assert.deepEqual(byKey(either), {
    DB_PASSWORD: "dev-Pa55w0rd!",
    STRIPE_SECRET_KEY: "sk_test_51Interop",
  });
  // Exact match only: a different case matches nothing.
  assert.deepEqual(await get("Development", { tags: ["Database"] }), []);
});

test("comments are decrypted; secrets without one have an empty comment", async () => {
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  const dev = await get("Development");
  const comments = Object.fromEntries(dev.map((s) => [s.key, s.comment]));
  assert.equal(comments.DB_HOST, "primary database host");
  assert.equal(comments.DB_PASSWORD, "rotated monthly");
  for (const key of ["DB_PORT", "DB_USER", "DATABASE_URL", "EMPTY_VALUE"]) {
    assert.equal(comments[key], "", key);
  }
  const [prodPort] = await get("Production", { key: "DB_PORT" });
  assert.equal(prodPort.comment, "pgbouncer");
});

test("references: DATABASE_URL is resolved from /db and root secrets", async () => {
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  // From a get of everything: all four references are found among the fetched secrets.
  const all = byKey(await get("Development"));
  assert.equal(all.DATABASE_URL, DATABASE_URL);
  // Alone: the SDK fetches each referenced secret with its own key-digest request.
  const [alone] = await get("Development", { key: "DATABASE_URL" });
  assert.equal(alone.value, DATABASE_URL);
});

test("references: a cross-environment reference is fetched from Staging", async () => {
  const phase = await connect(ctx.server, "sa-token");
  const [secret] = await phase.get({
    appId: ctx.server.appId(APP),
    envName: "Development",
    key: "STAGING_DB_HOST",
  });
  assert.equal(secret.value, "db.staging.internal");
});

test("references: local ${KEY} resolves in the root folder, whatever path was requested", async () => {
  // PROTOCOL §5.8.4 (written from SDK 3.0.0) says Node resolves a bare ${KEY} in the path
  // passed to get(). 3.1.1 no longer does: parseSecretReference() defaults the path of a
  // bare reference to "/", so the current path is never used and Node now agrees with Go,
  // Python and the server. A secret in /db referring to ${DB_USER} (exists only in /db) and
  // ${DB_HOST} (only in /) shows it: even a get of /db resolves ${DB_HOST} from / (with an
  // extra request) and leaves ${DB_USER} unresolved. 3.1.1 leaves unresolvable references
  // in place with a console warning instead of failing the whole get.
  const seed = seedCopy();
  seed.apps[0].secrets.Development.push({
    key: "DB_DSN",
    value: "${DB_USER}@${DB_HOST}",
    path: "/db",
  });
  await ctx.server.reset(seed);
  const { get } = await connectToApp(ctx.server, "sa-token", APP);
  const { result, warnings } = await capturingWarnings(async () => ({
    inDb: byKey(await get("Development", { path: "/db" })),
    everything: byKey(await get("Development")),
  }));
  assert.equal(result.inDb.DB_DSN, "${DB_USER}@db.dev.internal");
  assert.equal(result.everything.DB_DSN, "${DB_USER}@db.dev.internal");
  // The explicit path form reaches /db from anywhere.
  assert.equal(result.everything.DATABASE_URL, DATABASE_URL);
  // One warning per get, both for ${DB_USER} looked up in "/".
  assert.equal(warnings.length, 2, warnings.join("\n"));
  for (const warning of warnings) {
    assert.match(
      warning,
      /Failed to resolve reference \$\{DB_USER\}: .*Secret not found: DB_USER/,
    );
  }
});

test("personal override: alice sees DB_PORT 15432, the service account 5432", async () => {
  const appId = ctx.server.appId(APP);
  const alice = await connect(ctx.server, "alice-pat");
  const sa = await connect(ctx.server, "sa-token");
  assert.equal(alice.tokenType, "User");
  assert.equal(sa.tokenType, "ServiceAccount");

  const [mine] = await alice.get({
    appId,
    envName: "Development",
    key: "DB_PORT",
  });
  assert.equal(mine.value, "15432");
  // The override object arrives camelCased (isActive, createdAt) and is decrypted.
  assert.equal(mine.override.isActive, true);
  assert.equal(mine.override.value, "15432");
  assert.equal("is_active" in mine.override, false);
  assert.match(mine.override.createdAt, /^\d{4}-/);

  const [shared] = await sa.get({
    appId,
    envName: "Development",
    key: "DB_PORT",
  });
  assert.equal(shared.value, "5432");
  assert.equal(shared.override, null);
  assert.equal(shared.id, mine.id); // same secret, different effective value
});

test("personal override feeds reference resolution for the user", async () => {
  // Overrides are applied before references are resolved, so alice's DATABASE_URL uses
  // her DB_PORT.
  const alice = await connect(ctx.server, "alice-pat");
  const all = byKey(
    await alice.get({ appId: ctx.server.appId(APP), envName: "Development" }),
  );
  assert.equal(all.DB_PORT, "15432");
  assert.equal(all.DATABASE_URL, DATABASE_URL.replace(":5432/", ":15432/"));
});

test("end-to-end-only app: interop-e2ee decrypts client-side", async () => {
  for (const token of ["sa-token", "alice-pat"]) {
    const phase = await connect(ctx.server, token);
    const appId = ctx.server.appId(E2EE_APP);
    assert.deepEqual(
      phase.apps
        .find((a) => a.id === appId)
        ?.environments.map((e) => e.name)
        .sort(),
      ["Development", "Production"],
      token,
    );
    const dev = await phase.get({ appId, envName: "Development" });
    assert.deepEqual(byKey(dev), { DSN: "postgres://app:e2ee@db/app" }, token);
    assert.deepEqual(
      await phase.get({ appId, envName: "Production" }),
      [],
      token,
    );
  }
});
