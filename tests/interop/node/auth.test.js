// Tokens with the official Node SDK: the legacy service token works within its scope;
// expired, revoked, unknown, garbage, out-of-scope and read-only tokens fail.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";

import Phase from "@phase.dev/phase-node";

import {
  APP,
  E2EE_APP,
  assertLeftPending,
  byKey,
  capturingWarnings,
  connect,
  connectToApp,
  runSdkCallInChild,
  useServer,
} from "./harness.js";

const ctx = useServer();

/** What a promise rejects with (the SDK throws plain strings as well as Errors). */
async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  assert.fail("expected a rejection");
}

/** The SDK refuses to read `envName` of interop-app and anything of the end-to-end app. */
async function assertOutOfReach(phase, envName) {
  const getRejection = (appName, env) =>
    rejection(phase.get({ appId: ctx.server.appId(appName), envName: env }));
  assert.equal(
    await getRejection(APP, envName),
    `Invalid environment name: ${envName}`,
  );
  assert.equal(await getRejection(E2EE_APP, "Development"), "Invalid app id");
}

/** Names of the apps and environments an initialised client can see. */
function visible(phase) {
  return Object.fromEntries(
    phase.apps.map((a) => [a.name, a.environments.map((e) => e.name).sort()]),
  );
}

test("legacy service token (pss_service:v1) reads Development and Staging", async () => {
  const phase = await connect(ctx.server, "legacy-token");
  assert.equal(phase.tokenType, "Service");
  assert.deepEqual(visible(phase), { [APP]: ["Development", "Staging"] });
  const appId = ctx.server.appId(APP);
  const dev = byKey(await phase.get({ appId, envName: "Development" }));
  assert.equal(dev.DB_HOST, "db.dev.internal");
  assert.equal(dev.DB_PORT, "5432"); // no personal overrides for service tokens
  assert.equal(
    dev.DATABASE_URL,
    "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app",
  );
  assert.equal(dev.STAGING_DB_HOST, "db.staging.internal");
  const staging = await phase.get({ appId, envName: "Staging" });
  assert.deepEqual(byKey(staging), {
    DB_HOST: "db.staging.internal",
    DB_PORT: "5432",
  });
});

test("legacy service token cannot reach Production or another app", async () => {
  const phase = await connect(ctx.server, "legacy-token");
  await assertOutOfReach(phase, "Production");
});

test("legacy service token can write in its environments (no role checks)", async () => {
  const { phase, appId } = await connectToApp(ctx.server, "legacy-token", APP);
  await phase.create({
    appId,
    envName: "Staging",
    secrets: [{ key: "FROM_LEGACY", value: "legacy-wrote-this", comment: "" }],
  });
  const sa = await connect(ctx.server, "sa-token");
  const [found] = await sa.get({
    appId,
    envName: "Staging",
    key: "FROM_LEGACY",
  });
  assert.equal(found.value, "legacy-wrote-this");
});

test("expired token: init() fails with the server's 403", async () => {
  const phase = new Phase(ctx.server.tokens["sa-expired"], ctx.server.url);
  assert.equal(phase.tokenType, "ServiceAccount"); // well-formed, so accepted locally
  assert.equal(
    await rejection(phase.init()),
    "Error: 403: Token expired or deleted",
  );
  assert.deepEqual(phase.apps, []);
});

test("revoked token: init() fails with the server's 403", async () => {
  const response = await fetch(`${ctx.server.url}/_admin/tokens`, {
    method: "DELETE",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ name: "sa-token" }),
  });
  assert.equal(response.status, 200);
  const phase = new Phase(ctx.server.tokens["sa-token"], ctx.server.url);
  assert.equal(
    await rejection(phase.init()),
    "Error: 403: Token expired or deleted",
  );
});

test("unknown but well-formed tokens fail at init()", async () => {
  // A random bearer part, and alice's real bearer presented as a service-account token.
  const parts = ctx.server.tokens["sa-token"].split(":");
  parts[2] = randomBytes(32).toString("hex");
  const wrongType = ctx.server.tokens["alice-pat"].replace(
    /^pss_user:v1:/,
    "pss_service:v2:",
  );
  for (const token of [parts.join(":"), wrongType]) {
    const phase = new Phase(token, ctx.server.url);
    assert.equal(phase.tokenType, "ServiceAccount");
    assert.equal(
      await rejection(phase.init()),
      "Error: 403: Token expired or deleted",
    );
  }
});

test("garbage tokens are rejected by the constructor, before any request", async () => {
  const valid = ctx.server.tokens["sa-token"];
  const garbage = [
    "",
    "not-a-token",
    valid.split(":").slice(0, 5).join(":"), // a field missing
    valid.replace(/^pss_service/, "pss_env"),
    valid.slice(0, -1) + "g", // not hex
  ];
  for (const token of garbage) {
    assert.throws(() => new Phase(token, ctx.server.url), {
      message:
        "Invalid token format. Token does not match the expected pattern.",
    });
  }
  assert.equal((await ctx.server.requests()).total, 0);
});

test("no-access token: staging-only service account sees and reads only Staging", async () => {
  const phase = await connect(ctx.server, "staging-token");
  assert.deepEqual(visible(phase), { [APP]: ["Staging"] });
  const appId = ctx.server.appId(APP);
  const staging = await phase.get({ appId, envName: "Staging" });
  assert.deepEqual(byKey(staging), {
    DB_HOST: "db.staging.internal",
    DB_PORT: "5432",
  });
  await assertOutOfReach(phase, "Development");
});

test("no-access token: the server refuses it too, given the SDK's own headers", async () => {
  // The SDK never asks for an environment it has no key for; this sends the exact headers
  // it would send (getAuthHeaders() plus the Environment id) to prove the server refuses.
  const phase = await connect(ctx.server, "staging-token");
  const headers = {
    ...phase.getAuthHeaders(),
    environment: ctx.server.envId(APP, "Development"),
  };
  const response = await fetch(`${ctx.server.url}/service/secrets/`, {
    headers,
  });
  assert.equal(response.status, 401);
  assert.deepEqual(await response.json(), {
    error: "Service account cannot access this environment",
  });
});

test("read-only token reads Development; references into Staging stay unresolved", async () => {
  const phase = await connect(ctx.server, "reader-token");
  assert.deepEqual(visible(phase), { [APP]: ["Development"] });
  const { result, warnings } = await capturingWarnings(() =>
    phase.get({ appId: ctx.server.appId(APP), envName: "Development" }),
  );
  const dev = byKey(result);
  assert.equal(dev.DB_PASSWORD, "dev-Pa55w0rd!");
  assert.equal(
    dev.DATABASE_URL,
    "postgres://app_user:dev-Pa55w0rd!@db.dev.internal:5432/app",
  );
  assert.equal(Object.keys(dev).length, 10);
  // No key for Staging: the SDK leaves the reference as written and warns.
  assert.equal(dev.STAGING_DB_HOST, "${staging.DB_HOST}");
  assert.deepEqual(warnings, [
    "Failed to resolve reference ${staging.DB_HOST}: " +
      "Failed to resolve reference: Invalid environment name: staging",
  ]);
});

test("read-only token: create, update and delete are refused with 403", async () => {
  // How each refusal surfaces is SDK behaviour: create throws inside its promise executor
  // (unhandled rejection, call never settles); update and delete console.log the error and
  // never settle either.
  const appId = ctx.server.appId(APP);
  const sa = await connect(ctx.server, "sa-token");
  const [host] = await sa.get({
    appId,
    envName: "Development",
    key: "DB_HOST",
  });
  const call = (method, options) =>
    runSdkCallInChild(ctx.server, "reader-token", method, {
      appId,
      envName: "Development",
      ...options,
    });
  await ctx.server.resetRequests();

  const created = await call("create", {
    secrets: [{ key: "READER_WAS_HERE", value: "x", comment: "" }],
  });
  assertLeftPending(created, [
    "Something went wrong: Error creating secrets: " +
      "Error: 403: You don't have permission to create secrets in this environment.",
  ]);

  const updated = await call("update", {
    secrets: [{ id: host.id, value: "hijacked" }],
  });
  assertLeftPending(updated, []);
  assert.deepEqual(updated.logs, [
    "Error creating secrets: AxiosError: Request failed with status code 403",
  ]);

  const deleted = await call("delete", { secretIds: [host.id] });
  assert.equal(deleted.settled, "pending");
  assert.deepEqual(deleted.logs, [
    "Error deleting secrets: AxiosError: Request failed with status code 403",
  ]);

  // Each write reached the server once and changed nothing.
  const counts = (await ctx.server.requests()).by_endpoint;
  assert.equal(counts["POST /secrets/"], 1);
  assert.equal(counts["PUT /secrets/"], 1);
  assert.equal(counts["DELETE /secrets/"], 1);
  const after = byKey(await sa.get({ appId, envName: "Development" }));
  assert.equal(after.DB_HOST, "db.dev.internal");
  assert.equal(after.READER_WAS_HERE, undefined);
});
