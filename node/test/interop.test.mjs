// The official Node SDK (@phase.dev/phase-node 3.1.1) and phasekit read each other's writes.

import assert from "node:assert/strict";
import { test } from "node:test";

import Phase from "@phase.dev/phase-node";
import { NotFoundError } from "phasekit";

import {
  APP,
  DB_FOLDER,
  DB_VALUES,
  DEV,
  E2EE_APP,
  PROD,
  RESOLVED_DATABASE_URL,
  byKey,
  useServer,
} from "./support.mjs";

const ctx = useServer();

/** An initialised official-SDK client for one of the seeded tokens. */
async function official(tokenName = "sa-token") {
  const phase = new Phase(ctx.server.tokens[tokenName], ctx.server.url);
  await phase.init();
  return phase;
}

/** The official SDK's view of one folder: `{KEY: secret}`. */
async function officialRead(sdk, app, envName, path = "/") {
  const found = await sdk.get({ appId: ctx.server.appId(app), envName, path });
  return Object.fromEntries(found.map((s) => [s.key, s]));
}

test("both resolve the same values in the root and /db folders", async () => {
  const sdk = await official();
  const phasekit = ctx.client();
  for (const path of ["/", "/db"]) {
    const theirs = await officialRead(sdk, APP, DEV, path);
    const ours = byKey(await phasekit.get({ app: APP, env: DEV, path }));
    assert.deepEqual(
      Object.fromEntries(
        Object.entries(theirs).map(([key, s]) => [key, s.value]),
      ),
      ours,
      path,
    );
  }
  const ours = byKey(await phasekit.get({ app: APP, env: DEV, path: "/" }));
  assert.equal(ours.DATABASE_URL, RESOLVED_DATABASE_URL);
  assert.equal(ours.STAGING_DB_HOST, "db.staging.internal");
});

test("what phasekit creates, updates and deletes, the official SDK reads", async () => {
  const phasekit = ctx.client();
  await phasekit.create({
    app: APP,
    env: DEV,
    secrets: [
      {
        key: "FROM_PHASEKIT",
        value: "v1 ✓\nline two",
        comment: "written by phasekit",
        tags: ["interop"],
        path: "/svc",
      },
      { key: "ROOT_FROM_PHASEKIT", value: 'quote " and $dollar' },
      { key: "REF_FROM_PHASEKIT", value: "${DB_HOST}:${/db/DB_USER}" },
    ],
  });
  const sdk = await official();
  const svc = await officialRead(sdk, APP, DEV, "/svc");
  assert.deepEqual(
    [
      svc.FROM_PHASEKIT.value,
      svc.FROM_PHASEKIT.comment,
      svc.FROM_PHASEKIT.path,
    ],
    ["v1 ✓\nline two", "written by phasekit", "/svc"],
  );
  assert.deepEqual(svc.FROM_PHASEKIT.tags, ["interop"]);
  const root = await officialRead(sdk, APP, DEV);
  assert.equal(root.ROOT_FROM_PHASEKIT.value, 'quote " and $dollar');
  assert.equal(root.REF_FROM_PHASEKIT.value, "db.dev.internal:app_user");

  await phasekit.update({
    app: APP,
    env: DEV,
    key: "FROM_PHASEKIT",
    value: "",
  });
  const updated = (await officialRead(sdk, APP, DEV, "/svc")).FROM_PHASEKIT;
  assert.deepEqual(
    [updated.value, updated.comment, updated.version],
    ["", "written by phasekit", 2],
  );

  assert.deepEqual(
    await phasekit.delete({
      app: APP,
      env: DEV,
      keys: ["FROM_PHASEKIT", "NOT_THERE"],
      path: "/svc",
    }),
    ["NOT_THERE"],
  );
  assert.deepEqual(await officialRead(sdk, APP, DEV, "/svc"), {});
});

test("what the official SDK creates, updates and deletes, phasekit reads", async () => {
  const sdk = await official();
  const appId = ctx.server.appId(APP);
  await sdk.create({
    appId,
    envName: PROD,
    secrets: [
      {
        key: "FROM_PHASE_NODE",
        value: "hello\nwörld ✓",
        comment: "written by the SDK",
        path: "/svc",
        tags: ["interop"],
      },
    ],
  });
  const phasekit = ctx.client();
  const readBack = () =>
    phasekit.getSecret({
      app: APP,
      env: PROD,
      key: "FROM_PHASE_NODE",
      path: "/svc",
    });
  const created = await readBack();
  assert.deepEqual(
    [created.value, created.comment, created.path, created.env, created.tags],
    ["hello\nwörld ✓", "written by the SDK", "/svc", PROD, ["interop"]],
  );
  const [theirs] = await sdk.get({
    appId,
    envName: PROD,
    key: "FROM_PHASE_NODE",
  });
  assert.equal(theirs.id, created.id);

  await sdk.update({
    appId,
    envName: PROD,
    secrets: [{ id: theirs.id, value: "changed" }],
  });
  const changed = await readBack();
  // The SDK always sends a comment and tags, so an update by it clears both.
  assert.deepEqual(
    [changed.value, changed.comment, changed.tags, changed.version],
    ["changed", "", [], 2],
  );

  await sdk.delete({ appId, envName: PROD, secretIds: [theirs.id] });
  await ctx.expectError(NotFoundError, readBack());
  assert.deepEqual(byKey(await phasekit.get({ app: APP, env: PROD })), {
    DB_HOST: "db.prod.internal",
    DB_PORT: "6432",
  });
});

test("on an end-to-end encrypted app each reads the other's write", async () => {
  const phasekit = ctx.client();
  await phasekit.create({
    app: E2EE_APP,
    env: DEV,
    secrets: [{ key: "E2EE_FROM_PHASEKIT", value: "pk-secret" }],
  });
  const sdk = await official();
  assert.equal(
    (await officialRead(sdk, E2EE_APP, DEV)).E2EE_FROM_PHASEKIT.value,
    "pk-secret",
  );
  await sdk.create({
    appId: ctx.server.appId(E2EE_APP),
    envName: DEV,
    secrets: [
      { key: "E2EE_FROM_PHASE_NODE", value: "sdk-secret", comment: "" },
    ],
  });
  assert.deepEqual(byKey(await phasekit.get({ app: E2EE_APP, env: DEV })), {
    DSN: "postgres://app:e2ee@db/app",
    E2EE_FROM_PHASEKIT: "pk-secret",
    E2EE_FROM_PHASE_NODE: "sdk-secret",
  });
});

test("a personal override set by phasekit is what the official SDK shows alice", async () => {
  await ctx.client("alice-pat").update({
    app: APP,
    env: DEV,
    key: "DB_HOST",
    override: "alice.local",
  });
  const mine = (await officialRead(await official("alice-pat"), APP, DEV))
    .DB_HOST;
  assert.deepEqual(
    [mine.value, mine.override.value, mine.override.isActive],
    ["alice.local", "alice.local", true],
  );
  const shared = (await officialRead(await official("sa-token"), APP, DEV))
    .DB_HOST;
  assert.deepEqual([shared.value, shared.override], ["db.dev.internal", null]);
});

test("a personal override set by the official SDK is what phasekit shows alice", async () => {
  const sdk = await official("alice-pat");
  const appId = ctx.server.appId(APP);
  const [port] = await sdk.get({ appId, envName: DEV, key: "DB_PORT" });
  await sdk.update({
    appId,
    envName: DEV,
    secrets: [{ id: port.id, override: { value: "35432", isActive: true } }],
  });
  const alice = ctx.client("alice-pat");
  const mine = await alice.getSecret({ app: APP, env: DEV, key: "DB_PORT" });
  assert.deepEqual([mine.value, mine.overridden], ["35432", true]);
  const url = await alice.getSecret({
    app: APP,
    env: DEV,
    key: "DATABASE_URL",
  });
  assert.ok(
    url.value.endsWith("@db.dev.internal:35432/app"),
    "references use the override",
  );
  await sdk.update({
    appId,
    envName: DEV,
    secrets: [{ id: port.id, override: { value: "35432", isActive: false } }],
  });
  const off = await alice.getSecret({ app: APP, env: DEV, key: "DB_PORT" });
  assert.deepEqual([off.value, off.overridden], ["5432", false]);
  assert.deepEqual(byKey(await ctx.client().get(DB_FOLDER)), DB_VALUES);
});
