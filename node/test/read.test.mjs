// Reads: get (paths, keys, tags, references, strict), getSecret, overrides, export, apps, environments.

import assert from "node:assert/strict";
import { test } from "node:test";

import {
  InvalidInputError,
  NotFoundError,
  SecretReferenceError,
} from "phasekit";

import {
  ALL_PATH_KEYS,
  APP,
  DB_FOLDER,
  DB_VALUES,
  DEV,
  E2EE_APP,
  PROD,
  REFS_APP,
  RESOLVED_DATABASE_URL,
  ROOT_RAW,
  STAGING,
  byKey,
  secretsByKey,
  useServer,
} from "./support.mjs";

const ctx = useServer();

test("get without a path returns every folder, references resolved, every field filled", async () => {
  const secrets = await ctx.client().get({ app: APP, env: DEV });
  assert.deepEqual(
    secrets.map((s) => `${s.path} ${s.key}`).sort(),
    ALL_PATH_KEYS,
  );
  const found = Object.fromEntries(
    secrets.map((s) => [`${s.path} ${s.key}`, s]),
  );
  assert.equal(found["/ DATABASE_URL"].value, RESOLVED_DATABASE_URL);
  assert.equal(found["/ STAGING_DB_HOST"].value, "db.staging.internal");
  assert.equal(found["/one FEATURE_FLAG"].value, "flag-one-value");
  assert.equal(found["/two FEATURE_FLAG"].value, "flag-two-value");
  const password = found["/db DB_PASSWORD"];
  assert.equal(password.value, "dev-Pa55w0rd!");
  assert.equal(password.comment, "rotated monthly");
  assert.deepEqual(password.tags, ["database"]);
  assert.equal(found["/ DB_HOST"].comment, "primary database host");
  assert.equal(found["/ DB_PORT"].comment, "");
  assert.equal(found["/ EMPTY_VALUE"].value, "");
  assert.equal(found["/ MULTILINE_CERT"].value, ROOT_RAW.MULTILINE_CERT);
  assert.equal(found["/ UNICODE_VALUE"].value, "héllo wörld ✓ 日本語");
  for (const s of secrets) {
    assert.deepEqual(
      [s.app, s.env, s.type, s.lifecycle, s.version],
      [APP, DEV, "secret", "static", 1],
    );
    assert.equal(s.overridden, false);
    assert.equal(s.isDynamic, false);
    assert.equal(s.dynamicGroup, null);
    assert.equal(s.leaseId, null);
    assert.equal(s.leaseExpiresAt, null);
    assert.match(s.id, /^[0-9a-f-]{36}$/);
  }
  assert.equal(
    new Set(secrets.map((s) => s.id)).size,
    secrets.length,
    "ids are unique",
  );
});

test("get with a path returns only that folder; the root in seed order", async () => {
  const phase = ctx.client();
  const db = await phase.get(DB_FOLDER);
  assert.deepEqual(byKey(db), DB_VALUES);
  assert.deepEqual(new Set(db.map((s) => s.path)), new Set(["/db"]));
  const root = await phase.get({ app: APP, env: DEV, path: "/" });
  assert.deepEqual(
    root.map((s) => s.key),
    Object.keys(ROOT_RAW),
  );
  assert.deepEqual(new Set(root.map((s) => s.path)), new Set(["/"]));
  assert.deepEqual(
    await phase.get({ app: APP, env: DEV, path: "/nowhere" }),
    [],
  );
});

test("keys keeps only the named secrets; unknown keys give nothing", async () => {
  const phase = ctx.client();
  const two = await phase.get({
    app: APP,
    env: DEV,
    keys: ["DB_HOST", "DATABASE_URL"],
  });
  assert.deepEqual(byKey(two), {
    DB_HOST: "db.dev.internal",
    DATABASE_URL: RESOLVED_DATABASE_URL,
  });
  const one = await phase.get({ app: APP, env: DEV, keys: ["DB_PASSWORD"] });
  assert.deepEqual(
    one.map((s) => [s.path, s.key, s.value]),
    [["/db", "DB_PASSWORD", "dev-Pa55w0rd!"]],
  );
  assert.deepEqual(
    await phase.get({ app: APP, env: DEV, keys: ["NO_SUCH_KEY"] }),
    [],
  );
});

test("tag matches case-insensitively and by part", async () => {
  const phase = ctx.client();
  const keysFor = async (tag) =>
    (await phase.get({ app: APP, env: DEV, tag })).map((s) => s.key);
  assert.deepEqual(await keysFor("payments"), ["STRIPE_SECRET_KEY"]);
  assert.deepEqual(await keysFor("PAY"), ["STRIPE_SECRET_KEY"]);
  assert.deepEqual(await keysFor("DataBase"), ["DB_PASSWORD"]);
  assert.deepEqual(await keysFor("no-such-tag"), []);
});

test("raw returns references as written; the default resolves cross-folder and cross-environment ones", async () => {
  const phase = ctx.client();
  const raw = await phase.get({ app: APP, env: DEV, path: "/", raw: true });
  assert.deepEqual(byKey(raw), ROOT_RAW);
  const resolved = byKey(await phase.get({ app: APP, env: DEV, path: "/" }));
  assert.deepEqual(resolved, {
    ...ROOT_RAW,
    DATABASE_URL: RESOLVED_DATABASE_URL,
    STAGING_DB_HOST: "db.staging.internal",
  });
});

test("an unresolvable reference stays as written unless strict, which rejects", async () => {
  const phase = ctx.client();
  assert.deepEqual(byKey(await phase.get({ app: REFS_APP, env: DEV })), {
    GOOD_REF: "host=target-value-1234",
    TARGET: "target-value-1234",
    BROKEN_REF: "x-${MISSING_KEY}-y",
  });
  const error = await ctx.expectError(
    SecretReferenceError,
    phase.get({ app: REFS_APP, env: DEV, strict: true }),
  );
  assert.equal(error.code, "reference_unresolved");
  assert.ok(error.message.includes("${MISSING_KEY}"), error.message);
  // Strictness only concerns what is returned: a resolvable subset passes.
  const good = await phase.get({
    app: REFS_APP,
    env: DEV,
    keys: ["GOOD_REF"],
    strict: true,
  });
  assert.deepEqual(byKey(good), { GOOD_REF: "host=target-value-1234" });
  const raw = await phase.get({
    app: REFS_APP,
    env: DEV,
    raw: true,
    strict: true,
  });
  assert.equal(byKey(raw).GOOD_REF, "host=${TARGET}");
});

test("a reference cycle rejects even without strict; raw still reads it", async () => {
  const phase = ctx.client();
  const error = await ctx.expectError(
    SecretReferenceError,
    phase.get({ app: REFS_APP, env: PROD }),
  );
  assert.equal(error.code, "reference_cycle");
  assert.deepEqual(
    byKey(await phase.get({ app: REFS_APP, env: PROD, raw: true })),
    {
      CYCLE_A: "a-${CYCLE_B}",
      CYCLE_B: "b-${CYCLE_A}",
    },
  );
});

test("appId selects the app and env may be an environment id", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  const appId = server.appId(APP);
  const byId = await phase.get({ appId, env: server.envId(APP, PROD) });
  assert.deepEqual(byKey(byId), {
    DB_HOST: "db.prod.internal",
    DB_PORT: "6432",
  });
  assert.deepEqual(
    new Set(byId.map((s) => `${s.app}/${s.env}`)),
    new Set([`${APP}/${PROD}`]),
  );
  assert.deepEqual(byKey(await phase.get({ appId, env: STAGING })), {
    DB_HOST: "db.staging.internal",
    DB_PORT: "5432",
  });
  // The id wins over a name when both are given.
  const both = await phase.get({ app: "twin-alpha", appId, env: PROD });
  assert.deepEqual(byKey(both), {
    DB_HOST: "db.prod.internal",
    DB_PORT: "6432",
  });
});

test("app names match exactly in any case, else by the shortest name containing them", async () => {
  const phase = ctx.client();
  assert.equal(
    byKey(await phase.get({ app: "INTEROP-APP", env: PROD })).DB_HOST,
    "db.prod.internal",
  );
  assert.equal(
    byKey(await phase.get({ app: "interop", env: PROD })).DB_HOST,
    "db.prod.internal",
  );
  assert.deepEqual(byKey(await phase.get({ app: "e2ee", env: DEV })), {
    DSN: "postgres://app:e2ee@db/app",
  });
  assert.equal(
    byKey(await phase.get({ app: APP, env: "prod" })).DB_PORT,
    "6432",
  );
});

test("an end-to-end encrypted app reads the same way", async () => {
  const phase = ctx.client();
  const secrets = await phase.get({ app: E2EE_APP, env: DEV });
  assert.deepEqual(byKey(secrets), { DSN: "postgres://app:e2ee@db/app" });
  assert.equal(secrets[0].app, E2EE_APP);
  assert.deepEqual(await phase.get({ app: E2EE_APP, env: PROD }), []);
});

test("getSecret defaults to the root folder, resolves references, and takes path and appId", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  const host = await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.deepEqual(
    [host.key, host.value, host.path, host.env],
    ["DB_HOST", "db.dev.internal", "/", DEV],
  );
  for (const [where, value] of [
    [{ key: "DATABASE_URL" }, RESOLVED_DATABASE_URL],
    [{ key: "DB_USER", path: "/db" }, "app_user"],
    [{ key: "DB_HOST", env: PROD }, "db.prod.internal"],
    [{ key: "FEATURE_FLAG", path: "/two" }, "flag-two-value"],
  ]) {
    const secret = await phase.getSecret({ app: APP, env: DEV, ...where });
    assert.equal(secret.value, value, JSON.stringify(where));
  }
  const byId = await phase.getSecret({
    appId: server.appId(APP),
    env: PROD,
    key: "DB_PORT",
  });
  assert.deepEqual([byId.value, byId.comment], ["6432", "pgbouncer"]);
  // DB_USER lives in /db, not at the root.
  const error = await ctx.expectError(
    NotFoundError,
    phase.getSecret({ app: APP, env: DEV, key: "DB_USER" }),
  );
  assert.equal(error.code, "secret_not_found");
});

test("a personal access token sees its override, flagged, and used by references", async () => {
  const mine = secretsByKey(
    await ctx.client("alice-pat").get({
      app: APP,
      env: DEV,
      path: "/",
    }),
  );
  assert.equal(mine.DB_PORT.value, "15432");
  assert.equal(mine.DB_PORT.overridden, true);
  assert.ok(mine.DATABASE_URL.value.endsWith("@db.dev.internal:15432/app"));
  assert.equal(mine.DB_HOST.overridden, false);
  const shared = secretsByKey(
    await ctx.client().get({ app: APP, env: DEV, path: "/" }),
  );
  assert.equal(shared.DB_PORT.value, "5432");
  assert.equal(shared.DB_PORT.overridden, false);
});

test("export dotenv: quoted lines, escaped newlines, references resolved, first folder wins", async () => {
  const phase = ctx.client();
  const text = await phase.export({ app: APP, env: DEV });
  const lines = text.split("\n").filter(Boolean);
  assert.ok(text.endsWith("\n"));
  for (const line of [
    'DB_HOST="db.dev.internal"',
    `DATABASE_URL="${RESOLVED_DATABASE_URL}"`,
    'EMPTY_VALUE=""',
    'MULTILINE_CERT="-----BEGIN CERT-----\\nMIIBinterop\\n-----END CERT-----"',
    'UNICODE_VALUE="héllo wörld ✓ 日本語"',
  ]) {
    assert.ok(lines.includes(line), `missing ${line}`);
  }
  assert.deepEqual(
    lines.filter((line) => line.startsWith("FEATURE_FLAG=")),
    ['FEATURE_FLAG="flag-one-value"'],
  );
  assert.equal(
    lines.length,
    new Set(ALL_PATH_KEYS.map((pk) => pk.split(" ")[1])).size,
  );
  assert.equal(
    await phase.export({ app: APP, env: DEV, format: "dotenv", path: "/db" }),
    'DB_USER="app_user"\nDB_PASSWORD="dev-Pa55w0rd!"\n',
  );
});

test("export json parses to the resolved values in order of appearance", async () => {
  const phase = ctx.client();
  const exported = JSON.parse(
    await phase.export({ app: APP, env: DEV, format: "json", path: "/" }),
  );
  assert.deepEqual(exported, {
    ...ROOT_RAW,
    DATABASE_URL: RESOLVED_DATABASE_URL,
    STAGING_DB_HOST: "db.staging.internal",
  });
  assert.deepEqual(Object.keys(exported), Object.keys(ROOT_RAW));
  assert.deepEqual(
    JSON.parse(
      await phase.export({ app: E2EE_APP, env: PROD, format: "json" }),
    ),
    {},
  );
});

test('export yaml: one "KEY": "value" line per secret', async () => {
  const phase = ctx.client();
  assert.equal(
    await phase.export({ app: APP, env: DEV, format: "yaml", path: "/db" }),
    '"DB_USER": "app_user"\n"DB_PASSWORD": "dev-Pa55w0rd!"\n',
  );
  const root = await phase.export({
    app: APP,
    env: DEV,
    format: "yaml",
    path: "/",
  });
  const parsed = {};
  for (const line of root.split("\n").filter(Boolean)) {
    Object.assign(parsed, JSON.parse(`{${line}}`));
  }
  assert.equal(parsed.MULTILINE_CERT, ROOT_RAW.MULTILINE_CERT);
  assert.equal(parsed.UNICODE_VALUE, ROOT_RAW.UNICODE_VALUE);
  assert.equal(parsed.DATABASE_URL, RESOLVED_DATABASE_URL);
});

test("export takes every format of the core (the string goes to it as it is)", async () => {
  const phase = ctx.client();
  const expected = {
    kv: "DB_USER=app_user\nDB_PASSWORD=dev-Pa55w0rd!\n",
    toml: 'DB_USER = "app_user"\nDB_PASSWORD = "dev-Pa55w0rd!"\n',
  };
  for (const [format, text] of Object.entries(expected)) {
    assert.equal(await phase.export({ ...DB_FOLDER, format }), text, format);
  }
});

test("export rejects an unknown format without contacting the server", async () => {
  const error = await ctx.expectError(
    InvalidInputError,
    ctx.client().export({ app: APP, env: DEV, format: "docx" }),
  );
  assert.equal(error.code, "invalid_input");
  assert.ok(error.message.includes("docx"), error.message);
  assert.deepEqual(await ctx.requests(), {});
});

test("apps lists every accessible app with id, encryption mode and environments", async () => {
  const { server } = ctx;
  const apps = await ctx.client().apps();
  assert.deepEqual(apps.map((a) => a.name).sort(), [
    "interop-app",
    "interop-e2ee",
    "refs-app",
    "twin-alpha",
    "twin-bravo",
  ]);
  for (const app of apps) {
    assert.deepEqual(Object.keys(app).sort(), [
      "encryption",
      "environments",
      "id",
      "name",
    ]);
    assert.equal(app.id, server.appId(app.name));
    for (const env of app.environments) {
      assert.equal(env.id, server.envId(app.name, env.name));
    }
  }
  const byName = Object.fromEntries(apps.map((a) => [a.name, a]));
  assert.equal(byName[APP].encryption, "SSE");
  assert.equal(byName[E2EE_APP].encryption, "E2E");
  assert.deepEqual(
    byName[APP].environments.map((e) => [e.name, e.envType]),
    [
      [DEV, "DEV"],
      [STAGING, "STAGING"],
      [PROD, "PROD"],
    ],
  );
});

test("apps are limited to the token's access", async () => {
  const apps = await ctx.client("reader-token").apps();
  assert.deepEqual(
    apps.map((a) => [a.name, a.environments.map((e) => e.name)]),
    [[APP, [DEV]]],
  );
});

test("environments lists an app's environments by app name or appId", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  const byName = await phase.environments({ app: APP });
  assert.deepEqual(
    byName.map((e) => [e.name, e.id]),
    [DEV, STAGING, PROD].map((env) => [env, server.envId(APP, env)]),
  );
  const byId = await phase.environments({ appId: server.appId(E2EE_APP) });
  assert.deepEqual(
    byId.map((e) => [e.name, e.envType]),
    [
      [DEV, "DEV"],
      [PROD, "PROD"],
    ],
  );
  assert.deepEqual(Object.keys(byId[0]).sort(), ["envType", "id", "name"]);
  const staging = await ctx.client("staging-token").environments({
    app: APP,
  });
  assert.deepEqual(
    staging.map((e) => e.name),
    [STAGING],
  );
});
