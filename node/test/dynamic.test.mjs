// Dynamic secrets: get({dynamic, lease, leaseTtl}) and leaseGenerate, leaseRenew, leaseRevoke.

import assert from "node:assert/strict";
import { test } from "node:test";

import { InvalidInputError, NotFoundError } from "phasekit";

import { APP, DEV, E2EE_APP, useServer } from "./support.mjs";

const ctx = useServer();

const CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
const GROUP = "aws-creds (aws)";
const GENERATED = /^[0-9a-f]{40}$/;

const dynamicOf = (secrets) => secrets.filter((s) => s.isDynamic);
const secondsUntil = (timestamp) => (Date.parse(timestamp) - Date.now()) / 1000;

test("a plain get returns no dynamic entries", async () => {
  assert.deepEqual(
    dynamicOf(await ctx.client().get({ app: APP, env: DEV })),
    [],
  );
});

test("dynamic lists each credential name last, empty and without a lease", async () => {
  const secrets = await ctx.client().get({
    app: APP,
    env: DEV,
    dynamic: true,
  });
  const entries = dynamicOf(secrets);
  assert.deepEqual(
    entries.map((s) => s.key),
    CREDENTIALS,
  );
  assert.deepEqual(
    secrets.slice(-2).map((s) => s.key),
    CREDENTIALS,
  );
  for (const entry of entries) {
    assert.deepEqual(
      [
        entry.value,
        entry.type,
        entry.lifecycle,
        entry.dynamicGroup,
        entry.leaseId,
        entry.leaseExpiresAt,
      ],
      ["", "dynamic", "dynamic", GROUP, null, null],
    );
    assert.deepEqual([entry.app, entry.env, entry.path], [APP, DEV, "/"]);
  }
  assert.equal(
    entries[0].id,
    entries[1].id,
    "both credentials belong to one secret",
  );
  assert.equal(secrets.filter((s) => !s.isDynamic).length, 12);
});

test("lease generates credentials under one lease with the default TTL (600 s)", async () => {
  const entries = dynamicOf(
    await ctx.client().get({ app: APP, env: DEV, lease: true }),
  );
  assert.deepEqual(
    entries.map((s) => s.key),
    CREDENTIALS,
  );
  for (const entry of entries) assert.match(entry.value, GENERATED);
  assert.notEqual(entries[0].value, entries[1].value);
  const leaseIds = new Set(entries.map((s) => s.leaseId));
  assert.equal(leaseIds.size, 1);
  assert.ok(!leaseIds.has(null));
  const remaining = secondsUntil(entries[0].leaseExpiresAt);
  assert.ok(remaining > 540 && remaining <= 601, `${remaining}`);
});

test("leaseTtl shortens the lease, and each lease has its own id and credentials", async () => {
  const phase = ctx.client();
  const first = dynamicOf(
    await phase.get({
      app: APP,
      env: DEV,
      dynamic: true,
      lease: true,
      leaseTtl: 60,
    }),
  );
  const second = dynamicOf(
    await phase.get({ app: APP, env: DEV, lease: true, leaseTtl: 60 }),
  );
  const remaining = secondsUntil(first[0].leaseExpiresAt);
  assert.ok(remaining > 0 && remaining <= 61, `${remaining}`);
  assert.notEqual(first[0].leaseId, second[0].leaseId);
  assert.notEqual(first[0].value, second[0].value);
});

test("leaseGenerate, leaseRenew and leaseRevoke manage a lease; a revoked lease cannot be renewed", async () => {
  const phase = ctx.client();
  const [listed] = dynamicOf(
    await phase.get({ app: APP, env: DEV, dynamic: true }),
  );
  const leased = await phase.leaseGenerate({
    app: APP,
    env: DEV,
    secretId: listed.id,
    ttl: 120,
  });
  assert.deepEqual(
    leased.map((s) => s.key),
    CREDENTIALS,
  );
  for (const s of leased) {
    assert.match(s.value, GENERATED);
    assert.equal(s.isDynamic, true);
    assert.equal(s.dynamicGroup, GROUP);
  }
  const { leaseId } = leased[0];
  assert.equal(typeof leaseId, "string");
  assert.equal(leased[1].leaseId, leaseId);
  const remaining = secondsUntil(leased[0].leaseExpiresAt);
  assert.ok(remaining > 0 && remaining <= 121, `${remaining}`);

  const renewed = await phase.leaseRenew({
    app: APP,
    env: DEV,
    leaseId,
    ttl: 3600,
  });
  assert.ok(
    renewed.startsWith("Lease renewed successfully. Updated expiry: "),
    renewed,
  );
  const newExpiry = secondsUntil(renewed.split(" ").at(-1));
  assert.ok(newExpiry > 3500 && newExpiry <= 3601, `${newExpiry}`);

  assert.equal(
    await phase.leaseRevoke({ app: APP, env: DEV, leaseId }),
    "Lease revoked successfully",
  );
  assert.equal(
    await phase.leaseRevoke({ app: APP, env: DEV, leaseId }),
    "Lease was already revoked",
  );
  const error = await ctx.expectError(
    InvalidInputError,
    phase.leaseRenew({ app: APP, env: DEV, leaseId, ttl: 60 }),
    ...leased.map((s) => s.value),
  );
  assert.equal(error.status, 400);
  assert.ok(error.message.includes("revoked"), error.message);
});

test("leaseGenerate without ttl uses the secret's default; appId works", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  const appId = server.appId(APP);
  const [listed] = dynamicOf(
    await phase.get({ appId, env: DEV, dynamic: true }),
  );
  const leased = await phase.leaseGenerate({
    appId,
    env: DEV,
    secretId: listed.id,
  });
  const remaining = secondsUntil(leased[0].leaseExpiresAt);
  assert.ok(remaining > 540 && remaining <= 601, `${remaining}`);
  assert.equal(
    await phase.leaseRevoke({ appId, env: DEV, leaseId: leased[0].leaseId }),
    "Lease revoked successfully",
  );
});

test("unknown secrets or leases are NotFoundError; a TTL over the maximum or an end-to-end app is invalid", async () => {
  const phase = ctx.client();
  const target = { app: APP, env: DEV };
  const missingSecret = await ctx.expectError(
    NotFoundError,
    phase.leaseGenerate({
      ...target,
      secretId: "00000000-0000-0000-0000-000000000000",
    }),
  );
  assert.equal(missingSecret.status, 404);
  const missingLease = await ctx.expectError(
    NotFoundError,
    phase.leaseRenew({ ...target, leaseId: "no-such-lease", ttl: 60 }),
  );
  assert.equal(missingLease.status, 404);
  await ctx.expectError(
    NotFoundError,
    phase.leaseRevoke({ ...target, leaseId: "no-such-lease" }),
  );
  const [listed] = dynamicOf(await phase.get({ ...target, dynamic: true }));
  const [leased] = await phase.leaseGenerate({
    ...target,
    secretId: listed.id,
  });
  const tooLong = await ctx.expectError(
    InvalidInputError,
    phase.leaseRenew({ ...target, leaseId: leased.leaseId, ttl: 7201 }),
  );
  assert.ok(tooLong.message.includes("7200"), tooLong.message);
  const e2ee = await ctx.expectError(
    InvalidInputError,
    phase.leaseGenerate({ app: E2EE_APP, env: DEV, secretId: listed.id }),
  );
  assert.ok(e2ee.message.includes("SSE is not enabled"), e2ee.message);
});
