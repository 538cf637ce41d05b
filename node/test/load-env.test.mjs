// loadEnv: secrets into process.env, existing variables kept unless override, in workers too.

import assert from "node:assert/strict";
import { test } from "node:test";

import { InvalidInputError } from "phasekit";

import {
  APP,
  DB_FOLDER,
  DEV,
  client,
  expectError,
  useServer,
} from "./support.mjs";

const handle = useServer();

test("loadEnv sets missing variables, keeps existing ones, and returns the keys set", async (t) => {
  const saved = { ...process.env };
  t.after(() => {
    for (const key of ["DB_USER", "DB_PASSWORD"]) {
      if (key in saved) process.env[key] = saved[key];
      else delete process.env[key];
    }
  });
  delete process.env.DB_USER;
  process.env.DB_PASSWORD = "from-the-shell";
  const phase = client(handle.server);
  assert.deepEqual(await phase.loadEnv(DB_FOLDER), ["DB_USER"]);
  assert.equal(process.env.DB_USER, "app_user");
  assert.equal(process.env.DB_PASSWORD, "from-the-shell");
  assert.deepEqual(
    await phase.loadEnv({ app: APP, env: DEV, path: "/db", override: true }),
    ["DB_USER", "DB_PASSWORD"],
  );
  assert.equal(process.env.DB_PASSWORD, "dev-Pa55w0rd!");
});

test("loadEnv of all folders takes the first of each key and resolves references", async (t) => {
  const keys = await client(handle.server).loadEnv({
    app: APP,
    env: DEV,
    override: true,
  });
  t.after(() => {
    for (const key of keys) delete process.env[key];
  });
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(process.env.FEATURE_FLAG, "flag-one-value");
  assert.equal(
    process.env.DATABASE_URL,
    "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app",
  );
});

test("loadEnv without an environment rejects with InvalidInputError", async () => {
  const error = await expectError(
    handle.server,
    InvalidInputError,
    client(handle.server).loadEnv({ app: APP }),
  );
  assert.match(error.message, /env is required/);
});
