// The fault matrix: every network method of Client against a 5xx burst, a 429 with a short and
// a long Retry-After, a dropped connection and a server slower than the call's deadline, all
// injected by the local server (PUT /_admin/faults). Reads must recover with the right data or
// reject, never resolve with part of it; writes must fail once sent and never be repeated. The
// server's own request counts prove what was sent.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, test } from "node:test";

import {
  Client,
  NetworkError,
  PhaseError,
  RateLimitError,
  RequestTimeoutError,
  ServerError,
} from "phasekit";

import {
  APP,
  DB_VALUES,
  DEV,
  PROD,
  SECRETS,
  STAGING,
  TOKENS,
  assertErrorFields,
  assertReadsDbHost,
  byKey,
  client,
  requests,
  useServer,
} from "./support.mjs";

const ctx = useServer();

// loadEnv writes into this process's environment.
after(() => {
  for (const key of Object.keys(DB_VALUES)) delete process.env[key];
});

const DYNAMIC = "/public/v1/secrets/dynamic/";
const LEASES = "/public/v1/secrets/dynamic/leases/";
const CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];
const GENERATED = /^[0-9a-f]{40}$/;
/** Written by the write methods; never expected to reach the server's state. */
const NEW_KEY = "FAULT_MATRIX_KEY";
const NEW_VALUE = "fault-matrix-new-value";
const CHANGED_VALUE = "fault-matrix-changed-value";

/** How long the lookups of update and delete are held back while the write's fault is armed. */
const GATE_MS = 250;
/** The deadline of the slow-server cases, and how slow the server is then. */
const DEADLINE_S = 0.3;
const SLOW_MS = 800;
/** What a call may overrun its deadline by (scheduling on a busy two-core machine). */
const MARGIN_MS = 300;

const target = { app: APP, env: DEV };

/** The lease-related setup: a dynamic secret's id, and a lease of it when `lease`. */
async function dynamicSetup(phase, lease) {
  const listed = (await phase.get({ ...target, dynamic: true })).find(
    (s) => s.isDynamic,
  );
  if (!lease) return { secretId: listed.id, secrets: [] };
  const leased = await phase.leaseGenerate({
    ...target,
    secretId: listed.id,
    ttl: 600,
  });
  // The generated credentials are secrets: no error message may show them.
  return { leaseId: leased[0].leaseId, secrets: leased.map((s) => s.value) };
}

/**
 * Every network method of Client. `endpoint` is the request a fault hits ("METHOD /path/", as
 * the server counts it; the fault rule matches its path); `cold` methods only read the session
 * (/secrets/tokens/), so their client drops it first; `lookups` are the GET /secrets/ a write
 * makes before its own request. `check` proves a read's result; `unchanged` proves a failed write
 * changed nothing (and that the client still works).
 */
const OPERATIONS = [
  {
    name: "get",
    endpoint: SECRETS,
    run: (phase) => phase.get({ ...target, path: "/db" }),
    check: (result) => assert.deepEqual(byKey(result), DB_VALUES),
  },
  {
    name: "getResult",
    endpoint: SECRETS,
    run: (phase) => phase.getResult({ ...target, path: "/db" }),
    check: (result) => {
      assert.equal(result.source, "network");
      assert.deepEqual(byKey(result.secrets), DB_VALUES);
    },
  },
  {
    name: "getSecret",
    endpoint: SECRETS,
    run: (phase) => phase.getSecret({ ...target, key: "DB_HOST" }),
    check: (secret) =>
      assert.deepEqual(
        [secret.key, secret.value],
        ["DB_HOST", "db.dev.internal"],
      ),
  },
  {
    name: "export",
    endpoint: SECRETS,
    run: (phase) => phase.export({ ...target, path: "/db", format: "json" }),
    check: (text) => assert.deepEqual(JSON.parse(text), DB_VALUES),
  },
  {
    name: "loadEnv",
    endpoint: SECRETS,
    run: (phase) => phase.loadEnv({ ...target, path: "/db", override: true }),
    check: (keys) => {
      assert.deepEqual(keys, ["DB_USER", "DB_PASSWORD"]);
      assert.deepEqual(
        [process.env.DB_USER, process.env.DB_PASSWORD],
        [DB_VALUES.DB_USER, DB_VALUES.DB_PASSWORD],
      );
    },
    // A failed loadEnv sets nothing: process.env never holds part of an environment.
    failed: () => {
      assert.ok(!("DB_USER" in process.env) && !("DB_PASSWORD" in process.env));
    },
  },
  {
    name: "apps",
    cold: true,
    endpoint: TOKENS,
    run: (phase) => phase.apps(),
    check: (apps) => {
      const app = apps.find((a) => a.name === APP);
      assert.deepEqual(
        app.environments.map((e) => e.name),
        [DEV, STAGING, PROD],
      );
    },
  },
  {
    name: "environments",
    cold: true,
    endpoint: TOKENS,
    run: (phase) => phase.environments({ app: APP }),
    check: (environments) =>
      assert.deepEqual(
        environments.map((e) => e.name),
        [DEV, STAGING, PROD],
      ),
  },
  {
    // A GET that creates a lease: once sent it is not repeated, like a write (a lost answer
    // could otherwise leave a second set of live credentials behind).
    name: "leaseGenerate",
    write: true,
    endpoint: `GET ${DYNAMIC}`,
    setup: (phase) => dynamicSetup(phase, false),
    run: (phase, { secretId }) =>
      phase.leaseGenerate({ ...target, secretId, ttl: 60 }),
    // The secret can still be leased: the failed call left nothing half done.
    unchanged: async (phase, { secretId }) => {
      const leased = await phase.leaseGenerate({
        ...target,
        secretId,
        ttl: 60,
      });
      assert.deepEqual(
        leased.map((s) => s.key),
        CREDENTIALS,
      );
      for (const s of leased) assert.match(s.value, GENERATED);
    },
  },
  {
    name: "create",
    write: true,
    endpoint: "POST /secrets/",
    run: (phase) =>
      phase.create({
        ...target,
        secrets: [{ key: NEW_KEY, value: NEW_VALUE }],
      }),
    unchanged: async (phase) =>
      assert.deepEqual(await phase.get({ ...target, keys: [NEW_KEY] }), []),
  },
  {
    name: "update",
    write: true,
    lookups: 1,
    endpoint: "PUT /secrets/",
    run: (phase) =>
      phase.update({ ...target, key: "DB_HOST", value: CHANGED_VALUE }),
    unchanged: assertReadsDbHost,
  },
  {
    name: "delete",
    write: true,
    lookups: 1,
    endpoint: "DELETE /secrets/",
    run: (phase) => phase.delete({ ...target, keys: ["DB_HOST"] }),
    unchanged: assertReadsDbHost,
  },
  {
    name: "leaseRenew",
    write: true,
    endpoint: `PUT ${LEASES}`,
    setup: (phase) => dynamicSetup(phase, true),
    run: (phase, { leaseId }) =>
      phase.leaseRenew({ ...target, leaseId, ttl: 3600 }),
    unchanged: async (phase, { leaseId }) =>
      assert.equal(
        await phase.leaseRevoke({ ...target, leaseId }),
        "Lease revoked successfully",
      ),
  },
  {
    name: "leaseRevoke",
    write: true,
    endpoint: `DELETE ${LEASES}`,
    setup: (phase) => dynamicSetup(phase, true),
    run: (phase, { leaseId }) => phase.leaseRevoke({ ...target, leaseId }),
    // Still active: a revoked lease could not be renewed.
    unchanged: async (phase, { leaseId }) =>
      assert.match(
        await phase.leaseRenew({ ...target, leaseId, ttl: 60 }),
        /^Lease renewed successfully/,
      ),
  },
];

test("the matrix covers every network method of Client", () => {
  // stats() sends nothing; watch() reports failures to its callback (watch.test.mjs).
  const local = [
    "constructor",
    "toString",
    "host",
    "refresh",
    "close",
    "stats",
    "watch",
  ];
  const methods = Object.getOwnPropertyNames(Client.prototype).filter(
    (name) => !local.includes(name),
  );
  assert.deepEqual(methods.sort(), OPERATIONS.map((op) => op.name).sort());
});

/**
 * A client ready for `op` (warm, its setup done, its session dropped when `cold`), with zeroed
 * request counts; `options` are client options.
 */
async function prepare(op, options = {}) {
  const { server } = ctx;
  for (const key of Object.keys(DB_VALUES)) delete process.env[key];
  const phase = client(server, "sa-token", options);
  await phase.getSecret({ ...target, key: "DB_PORT" });
  const state = (await op.setup?.(phase)) ?? { secrets: [] };
  if (op.cold) await phase.refresh();
  await server.resetRequests();
  return { phase, state };
}

/**
 * Starts `op` with the fault `rule` on its request. update and delete first look the secret up
 * with GET on the same path as their write, and rules cannot tell methods apart: the lookups
 * are held back by a latency rule until the server has counted them, then `rule` replaces it,
 * so that the write is the first request it judges (the held-back lookups keep their verdict).
 */
async function withFault(op, rule, start) {
  const { server } = ctx;
  const path = op.endpoint.split(" ")[1];
  const fault = { path, ...rule };
  if (!op.lookups) {
    await server.faults(fault);
    return start();
  }
  await server.faults({ path, latency_ms: GATE_MS });
  const call = start();
  call.catch(() => {}); // observed by the caller; not an unhandled rejection meanwhile
  const gaveUp = Date.now() + 5000;
  while (((await requests(server))[SECRETS] ?? 0) < op.lookups) {
    assert.ok(Date.now() < gaveUp, `${op.name} never sent its lookups`);
    await sleep(5);
  }
  await server.faults(fault);
  return call;
}

/** What the server counted for `op` when its own request was sent `times` times. */
function sent(op, times) {
  return {
    ...(op.lookups ? { [SECRETS]: op.lookups } : {}),
    [op.endpoint]: times,
  };
}

/**
 * Runs `op` under the fault `rule`: it must reject with `Kind`, and the error must show none
 * of the values written or read.
 */
function faultError(Kind, op, rule, phase, state) {
  return ctx.expectError(
    Kind,
    withFault(op, rule, () => op.run(phase, state)),
    NEW_VALUE,
    CHANGED_VALUE,
    ...state.secrets,
  );
}

/** After a failed call that was sent once (a write is never repeated), the client recovers. */
async function sentOnceThenRecovers(op, phase, state) {
  assert.deepEqual(await ctx.requests(), sent(op, 1));
  await recovers(op, phase, state);
}

/** After a failed call: the fault is gone, nothing changed, and the client works again. */
async function recovers(op, phase, state) {
  await ctx.server.clearFaults();
  op.failed?.();
  if (op.write) await op.unchanged(phase, state);
  else op.check(await op.run(phase, state));
}

/** Counts timer ticks, to prove that the event loop kept running while a call waited. */
function watchEventLoop() {
  let ticks = 0;
  let last = performance.now();
  let longestGap = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    longestGap = Math.max(longestGap, now - last);
    last = now;
    ticks += 1;
  }, 10);
  return () => {
    clearInterval(timer);
    return { ticks, longestGap };
  };
}

// A 5xx burst within the retry budget (3 retries by default): reads succeed after the retries,
// writes fail at once (the request may have been processed) and are not repeated.
OPERATIONS.forEach((op, index) => {
  const status = [502, 503, 504][index % 3];
  test(`${op.name}: a ${status} burst ${op.write ? "fails the write once" : "is retried"}`, async () => {
    const { server } = ctx;
    const { phase, state } = await prepare(op);
    if (!op.write) {
      op.check(
        await withFault(op, { fail_next: 2, fail_status: status }, () =>
          op.run(phase, state),
        ),
      );
      assert.deepEqual(await requests(server), sent(op, 3));
      return;
    }
    const error = await faultError(
      ServerError,
      op,
      { fail_next: 2, fail_status: status },
      phase,
      state,
    );
    assertErrorFields(error, "server", status, true);
    await sentOnceThenRecovers(op, phase, state);
  });
});

// 429 with Retry-After: 1 is waited for and retried by reads; a write is not repeated and
// reports the server's wait instead.
for (const op of OPERATIONS) {
  test(`${op.name}: a 429 with a short Retry-After ${op.write ? "is a RateLimitError" : "is waited out"}`, async () => {
    const { server } = ctx;
    const { phase, state } = await prepare(op);
    const rule = { throttle_next: 1, retry_after: 1 };
    const started = performance.now();
    if (!op.write) {
      op.check(await withFault(op, rule, () => op.run(phase, state)));
      const elapsed = performance.now() - started;
      assert.ok(elapsed >= 950, `Retry-After honoured: ${elapsed} ms`);
      assert.deepEqual(await requests(server), sent(op, 2));
      return;
    }
    const error = await faultError(RateLimitError, op, rule, phase, state);
    assert.deepEqual(
      [error.code, error.status, error.retryAfter, error.retryable],
      ["rate_limited", 429, 1, true],
    );
    await sentOnceThenRecovers(op, phase, state);
  });
}

// A Retry-After beyond what the client waits for (30 s) fails every call at once.
for (const op of OPERATIONS) {
  test(`${op.name}: a 429 with a long Retry-After is a RateLimitError at once`, async () => {
    const { server } = ctx;
    const { phase, state } = await prepare(op);
    const started = performance.now();
    const error = await faultError(
      RateLimitError,
      op,
      { throttle_next: 1, retry_after: 120 },
      phase,
      state,
    );
    const elapsed = performance.now() - started;
    assert.ok(elapsed < 2000 + (op.lookups ? GATE_MS : 0), `${elapsed} ms`);
    assert.deepEqual(
      [error.code, error.status, error.retryAfter, error.retryable],
      ["rate_limited", 429, 120, true],
    );
    await sentOnceThenRecovers(op, phase, state);
  });
}

// A connection closed without an answer: reads reconnect and retry; a write may have been
// processed, so it is a NetworkError and is not repeated.
for (const op of OPERATIONS) {
  test(`${op.name}: a dropped connection ${op.write ? "is a NetworkError" : "is recovered from"}`, async () => {
    const { server } = ctx;
    const { phase, state } = await prepare(op);
    if (!op.write) {
      op.check(
        await withFault(op, { drop_next: 2 }, () => op.run(phase, state)),
      );
      assert.deepEqual(await requests(server), sent(op, 3));
      return;
    }
    const error = await faultError(
      NetworkError,
      op,
      { drop_next: 1 },
      phase,
      state,
    );
    assert.ok(!(error instanceof RequestTimeoutError), error.message);
    assertErrorFields(error, "network", null, true);
    await sentOnceThenRecovers(op, phase, state);
  });
}

// A server slower than the deadline: the call rejects when the deadline is up (the per-request
// timeout, 30 s, would be far later), and the event loop runs meanwhile.
for (const op of OPERATIONS) {
  test(`${op.name}: a server slower than the deadline is a RequestTimeoutError in time`, async () => {
    const { server } = ctx;
    const { phase, state } = await prepare(op, { deadline: DEADLINE_S });
    const stopWatching = watchEventLoop();
    const started = performance.now();
    const error = await faultError(
      RequestTimeoutError,
      op,
      { latency_ms: SLOW_MS },
      phase,
      state,
    );
    const elapsed = performance.now() - started;
    const loop = stopWatching();
    const deadlineMs = DEADLINE_S * 1000;
    assert.ok(
      elapsed >= deadlineMs - 20 && elapsed < deadlineMs + MARGIN_MS,
      `${elapsed} ms for a ${deadlineMs} ms deadline`,
    );
    assert.ok(error instanceof NetworkError);
    assertErrorFields(error, "timeout", null, true);
    assert.ok(error.message.includes("deadline"), error.message);
    assert.ok(
      loop.ticks >= 5 && loop.longestGap < 200,
      `event loop: ${loop.ticks} ticks, longest gap ${loop.longestGap} ms`,
    );
    assert.deepEqual(await requests(server), sent(op, 1));
    op.failed?.();
    // A real server may still carry out the abandoned request (this one drops it when the
    // client hangs up): its latency is waited out so that it cannot land in the next test.
    await sleep(
      started + (op.lookups ? GATE_MS : 0) + SLOW_MS + 100 - performance.now(),
    );
  });
}

/** Fails the requests of a root get that fetch the folders its references point to. */
const REFERENCE_FAULTS = [
  [{ fail_next: 1, fail_status: 500 }, "server"],
  [{ throttle_next: 1, retry_after: 120 }, "rate_limited"],
  [{ drop_next: 10 }, "network"],
];

test("a strict get whose reference lookups fail rejects with the lookup's own error", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  // The root folder's listing, then /db and the Staging environment for its references.
  const root = { ...target, path: "/", strict: true };
  const whole = byKey(await phase.get(root));
  assert.equal(whole.STAGING_DB_HOST, "db.staging.internal");
  for (const [rule, code] of REFERENCE_FAULTS) {
    await server.resetRequests();
    const error = await ctx.expectError(
      PhaseError,
      withFault({ endpoint: SECRETS, lookups: 1 }, rule, () => phase.get(root)),
    );
    // A transient failure stays transient (retryable), not a reference error.
    assert.equal(error.code, code);
    assert.ok(
      error.message.includes("reference") &&
        error.message.includes("/secrets/"),
      error.message,
    );
    assert.ok((await ctx.requests())[SECRETS] >= 2);
    await server.clearFaults();
  }
  assert.deepEqual(byKey(await phase.get(root)), whole);
});

test("a get whose reference lookups fail rejects instead of keeping the references as written", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  const root = { ...target, path: "/" };
  for (const [rule, code] of REFERENCE_FAULTS) {
    await server.resetRequests();
    let outcome;
    try {
      const secrets = await withFault(
        { endpoint: SECRETS, lookups: 1 },
        rule,
        () => phase.get(root),
      );
      // Only the keys: a value could be a secret.
      const unresolved = secrets
        .filter((s) => s.value.includes("${"))
        .map((s) => s.key);
      outcome = `resolved with ${unresolved.join(", ")} left as written`;
    } catch (error) {
      outcome = error.code;
    }
    await server.clearFaults();
    assert.equal(outcome, code);
  }
});

test("a 5xx burst longer than the retry budget rejects after maxRetries + 1 requests", async () => {
  const { server } = ctx;
  const phase = ctx.client("sa-token", { maxRetries: 1 });
  await phase.getSecret({ ...target, key: "DB_PORT" });
  await server.resetRequests();
  await server.faults({ path: "/secrets/", fail_next: 5, fail_status: 503 });
  const error = await ctx.expectError(
    ServerError,
    phase.get({ ...target, path: "/db" }),
  );
  assert.deepEqual([error.status, error.retryable], [503, true]);
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 2 });
});

test("the deadline bounds a call whose requests are each within the timeout", async () => {
  const { server } = ctx;
  // Cold: two requests of 250 ms each, a 400 ms deadline and the default 30 s timeout.
  const phase = ctx.client("sa-token", { deadline: 0.4 });
  await server.faults({ latency_ms: 250 });
  const started = performance.now();
  const error = await ctx.expectError(
    RequestTimeoutError,
    phase.get({ ...target, path: "/db" }),
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed >= 380 && elapsed < 400 + MARGIN_MS, `${elapsed} ms`);
  assert.ok(error.message.includes("deadline"), error.message);
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: 1 });
  await sleep(200);
});
