// Every error family: class, hierarchy, code, status, retryAfter, retryable, and no leaks.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { test } from "node:test";

import * as phasekit from "phasekit";
import {
  AmbiguousError,
  AuthenticationError,
  Client,
  DecryptionError,
  ERROR_CODES,
  InvalidInputError,
  NetworkError,
  NotFoundError,
  PermissionDeniedError,
  PhaseError,
  ProtocolError,
  RateLimitError,
  RequestTimeoutError,
  SecretReferenceError,
  ServerError,
} from "phasekit";

import {
  APP,
  DEV,
  E2EE_APP,
  PROD,
  REFS_APP,
  SECRETS,
  STABLE_ERROR_CODES,
  TOKENS,
  admin,
  assertErrorFields,
  assertReadsDbHost,
  byKey,
  closedPortUrl,
  everyWrite,
  tokenParts,
  useServer,
} from "./support.mjs";

const ctx = useServer();

const FAMILIES = [
  "AuthenticationError",
  "PermissionDeniedError",
  "NotFoundError",
  "AmbiguousError",
  "ConflictError",
  "InvalidInputError",
  "RateLimitError",
  "NetworkError",
  "RequestTimeoutError",
  "TlsError",
  "ServerError",
  "ProtocolError",
  "DecryptionError",
  "SecretReferenceError",
  "OfflineError",
];

/**
 * One read first, so that the session is cached and what follows asks only for secrets; then
 * zeroed request counters and `faults` injected.
 */
async function faultAfterARead(server, phase, faults) {
  await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  await server.resetRequests();
  await server.faults(faults);
}

test("the error classes form one hierarchy under PhaseError, an Error", () => {
  assert.ok(PhaseError.prototype instanceof Error);
  assert.equal(PhaseError.name, "PhaseError");
  assert.equal(PhaseError.prototype.name, "PhaseError");
  for (const name of FAMILIES) {
    const Family = phasekit[name];
    assert.equal(typeof Family, "function", name);
    assert.equal(Family.name, name);
    assert.equal(Family.prototype.name, name);
    assert.ok(Family.prototype instanceof PhaseError, name);
    const parent = Object.getPrototypeOf(Family);
    const expectedParent = ["RequestTimeoutError", "TlsError"].includes(name)
      ? phasekit.NetworkError
      : PhaseError;
    assert.equal(parent, expectedParent, name);
    const made = new Family("made here");
    assert.ok(
      made instanceof Family &&
        made instanceof PhaseError &&
        made instanceof Error,
    );
    assert.deepEqual(
      [made.name, made.code, made.status, made.retryAfter, made.retryable],
      [name, null, null, null, false],
    );
    assert.equal(String(made), `${name}: made here`);
  }
  assert.ok(!(SecretReferenceError.prototype instanceof ReferenceError));
  assert.deepEqual([...ERROR_CODES], STABLE_ERROR_CODES);
});

test("the error classes are the core's families, from both entry points", async () => {
  const { ERROR_FAMILIES } = phasekit;
  const exported = Object.entries(phasekit)
    .filter(([, value]) => value?.prototype instanceof PhaseError)
    .map(([name]) => name)
    .sort();
  assert.deepEqual(exported, Object.keys(ERROR_FAMILIES).sort());
  assert.deepEqual(exported, [...FAMILIES].sort());
  const require = createRequire(import.meta.url);
  const commonjs = require("phasekit");
  for (const name of exported) {
    assert.equal(commonjs[name], phasekit[name], name);
  }
  assert.deepEqual(
    Object.values(ERROR_FAMILIES).flat().sort(),
    [...ERROR_CODES].sort(),
  );
  assert.ok(Object.isFrozen(ERROR_FAMILIES));
});

test("a malformed token throws AuthenticationError from the constructor, repeating none of it", async () => {
  const { server } = ctx;
  const garbage = ctx.expectThrow(
    AuthenticationError,
    () => new Client({ token: "not-a-token", host: server.url }),
  );
  assert.deepEqual(
    [garbage.code, garbage.status, garbage.retryAfter, garbage.retryable],
    ["invalid_token", null, null, false],
  );
  const real = server.tokens["sa-token"];
  const fields = real.split(":");
  const truncated = [...fields.slice(0, 5), fields[5].slice(0, -1)].join(":");
  const short = ctx.expectThrow(
    AuthenticationError,
    () => new Client({ token: truncated, host: server.url }),
  );
  assert.equal(short.code, "invalid_token");
  assert.ok(short.message.includes("wrap key"), short.message);
  assert.ok(!short.message.includes(fields[5].slice(0, -1)));
  const unknownVersion = ["pss_service", "v9", ...fields.slice(2)].join(":");
  const version = ctx.expectThrow(
    AuthenticationError,
    () => new Client({ token: unknownVersion, host: server.url }),
  );
  assert.equal(version.code, "invalid_token");
  assert.deepEqual(await ctx.requests(), {});
});

test("an expired token is unauthorized (403) and not retried", async () => {
  const error = await ctx.expectError(
    AuthenticationError,
    ctx.client("sa-expired").get({ app: APP, env: DEV }),
  );
  assertErrorFields(error, "unauthorized", 403, false);
  assert.ok(error.message.includes("/secrets/tokens/"), error.message);
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1 });
});

test("a revoked token fails new sessions (403) and cached ones (401)", async () => {
  const { server } = ctx;
  const cached = ctx.client();
  await cached.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  const token = server.tokens["sa-token"];
  await admin(server, "DELETE", "/_admin/tokens", { name: "sa-token" });
  const fresh = await ctx.expectError(
    AuthenticationError,
    new Client({ token, host: server.url }).get({ app: APP, env: DEV }),
  );
  assert.deepEqual([fresh.code, fresh.status], ["unauthorized", 403]);
  const stale = await ctx.expectError(
    AuthenticationError,
    cached.get({ app: APP, env: DEV }),
  );
  assert.deepEqual([stale.code, stale.status], ["unauthorized", 401]);
});

test("a read-only account reads, but its writes are PermissionDeniedError (403)", async () => {
  const reader = ctx.client("reader-token");
  await assertReadsDbHost(reader);
  const writes = everyWrite(reader, {
    created: { key: "NEW", value: "v" },
    changed: { key: "DB_HOST", value: "changed-by-reader" },
  });
  for (const write of writes) {
    const error = await ctx.expectError(
      PermissionDeniedError,
      write(),
      "changed-by-reader",
    );
    assertErrorFields(error, "forbidden", 403, false);
    assert.ok(error.message.includes("permission"), error.message);
  }
  await assertReadsDbHost(reader);
});

test("unknown app, environment and secret are NotFoundError with their own codes", async () => {
  const phase = ctx.client();
  // Each call, its code, and a name its message must give (where it should help).
  const cases = [
    {
      call: () => phase.get({ app: "no-such-app", env: DEV }),
      code: "app_not_found",
      mentions: "interop-app",
    },
    {
      call: () => phase.get({ appId: "nope", env: DEV }),
      code: "app_not_found",
    },
    {
      call: () => phase.get({ app: APP, env: "Nowhere" }),
      code: "env_not_found",
    },
    {
      call: () => ctx.client("staging-token").get({ app: APP, env: DEV }),
      code: "env_not_found",
      mentions: "Staging",
    },
    {
      call: () => phase.getSecret({ app: APP, env: DEV, key: "NOPE" }),
      code: "secret_not_found",
    },
  ];
  for (const { call, code, mentions } of cases) {
    const error = await ctx.expectError(NotFoundError, call());
    assert.equal(error.code, code);
    assert.equal(error.retryable, false, code);
    if (mentions) assert.ok(error.message.includes(mentions), error.message);
    if (code === "secret_not_found") assert.equal(error.status, null);
  }
});

test("an app name matching two apps equally, and a key in two folders, are AmbiguousError", async () => {
  const phase = ctx.client();
  const apps = await ctx.expectError(
    AmbiguousError,
    phase.get({ app: "twin", env: DEV }),
  );
  assert.equal(apps.code, "ambiguous");
  assert.ok(
    apps.message.includes("twin-alpha") && apps.message.includes("twin-bravo"),
  );
  assert.deepEqual(byKey(await phase.get({ app: "twin-alpha", env: DEV })), {
    WHO: "alpha-twin-secret",
  });
  const folders = await ctx.expectError(
    AmbiguousError,
    phase.delete({ app: APP, env: DEV, keys: ["FEATURE_FLAG"] }),
  );
  assert.ok(folders.message.includes("give a path"), folders.message);
  assert.equal(
    (await phase.get({ app: APP, env: DEV, keys: ["FEATURE_FLAG"] })).length,
    2,
  );
});

const CALLS = {
  get: {},
  getSecret: { key: "DB_HOST" },
  create: { secrets: [{ key: "K", value: "v" }] },
  update: { key: "DB_HOST", value: "v" },
  delete: { keys: ["DB_HOST"] },
  environments: {},
  export: {},
  leaseGenerate: { secretId: "some-id" },
  leaseRenew: { leaseId: "some-lease", ttl: 60 },
  leaseRevoke: { leaseId: "some-lease" },
};

test("every method without app or appId rejects with InvalidInputError before any request", async () => {
  const phase = ctx.client();
  for (const [method, options] of Object.entries(CALLS)) {
    const error = await ctx.expectError(
      InvalidInputError,
      phase[method]({
        ...(method === "environments" ? {} : { env: DEV }),
        ...options,
      }),
    );
    assert.equal(error.code, "invalid_input", method);
    assert.ok(error.message.includes("appId"), `${method}: ${error.message}`);
  }
  assert.deepEqual(await ctx.requests(), {});
});

test("unknown fields, also in nested secrets, reject with InvalidInputError naming them", async () => {
  const phase = ctx.client();
  const cases = [
    [
      phase.get({ app: APP, env: DEV, tags: ["x"] }),
      "get options: unknown field tags",
    ],
    [
      phase.create({
        app: APP,
        env: DEV,
        secrets: [
          { key: "A", value: "a" },
          { key: "B", value: "b", colour: "red" },
        ],
      }),
      "create options: unknown field secrets[1].colour",
    ],
    [
      phase.environments({ app: APP, env: DEV }),
      "environments options: unknown field env",
    ],
    // A misspelt required field: the missing one and the unknown one are both named.
    [
      phase.get({ app: APP, enviroment: DEV }),
      "get options: env is required (unknown field enviroment)",
    ],
    [
      phase.leaseGenerate({ app: APP, env: DEV, secretIdd: "x" }),
      "leaseGenerate options: secretId is required (unknown field secretIdd)",
    ],
  ];
  for (const [call, message] of cases) {
    const error = await ctx.expectError(InvalidInputError, call);
    assert.equal(error.message, `invalid_input: ${message}`);
  }
  assert.throws(
    () => ctx.client("sa-token", { tokn: "x" }),
    /unknown field tokn/,
  );
  assert.deepEqual(await ctx.requests(), {});
  // undefined means "not given".
  assert.ok(
    (await phase.get({ app: APP, env: DEV, path: undefined })).length > 0,
  );
});

test("missing or wrongly typed arguments reject (never throw) with InvalidInputError naming the field", async () => {
  const phase = ctx.client();
  for (const [method, options] of Object.entries(CALLS)) {
    for (const bad of [undefined, null, "interop-app", 5]) {
      let promise;
      assert.doesNotThrow(() => {
        promise = phase[method](bad);
      }, `${method}(${bad}) threw synchronously`);
      assert.ok(promise instanceof Promise, method);
      const error = await ctx.expectError(InvalidInputError, promise);
      assert.ok(
        error.message.includes("expected an object"),
        `${method}: ${error.message}`,
      );
    }
    if (method !== "environments") {
      const noEnv = await ctx.expectError(
        InvalidInputError,
        phase[method]({ app: APP, ...options }),
      );
      assert.ok(
        noEnv.message.includes("env is required"),
        `${method}: ${noEnv.message}`,
      );
    }
    const numericApp = await ctx.expectError(
      InvalidInputError,
      phase[method]({ app: 5, env: DEV, ...options }),
    );
    assert.ok(
      numericApp.message.includes("app must be a string"),
      numericApp.message,
    );
  }
  const fields = [
    [{ keys: "DB_HOST" }, "keys"],
    [{ raw: "yes" }, "raw must be a boolean"],
    [{ strict: 1 }, "strict must be a boolean"],
    [{ path: 7 }, "path must be a string"],
    [{ tag: ["payments"] }, "tag must be a string"],
  ];
  for (const [extra, fragment] of fields) {
    const error = await ctx.expectError(
      InvalidInputError,
      phase.get({ app: APP, env: DEV, ...extra }),
    );
    assert.ok(error.message.includes(fragment), error.message);
  }
  assert.deepEqual(await ctx.requests(), {});
});

test("counts that are not whole non-negative numbers are InvalidInputError, not wrapped", async () => {
  const phase = ctx.client();
  const target = { app: APP, env: DEV };
  for (const leaseTtl of [-1, 1.5, Number.NaN, 2 ** 32]) {
    const error = await ctx.expectError(
      InvalidInputError,
      phase.get({ ...target, lease: true, leaseTtl }),
    );
    assert.ok(
      error.message.includes("leaseTtl must be a whole number"),
      error.message,
    );
  }
  const renew = await ctx.expectError(
    InvalidInputError,
    phase.leaseRenew({ ...target, leaseId: "some-lease", ttl: -5 }),
  );
  assert.ok(
    renew.message.includes("ttl must be a whole number"),
    renew.message,
  );
  await ctx.expectError(
    InvalidInputError,
    phase.leaseGenerate({ ...target, secretId: "some-id", ttl: -1 }),
  );
  for (const maxRetries of [-1, 0.5, Infinity]) {
    const error = ctx.expectThrow(InvalidInputError, () =>
      ctx.client("sa-token", { maxRetries }),
    );
    assert.ok(error.message.includes("maxRetries"), error.message);
  }
  assert.deepEqual(await ctx.requests(), {});
});

test("other invalid input: export format, empty names, secret type, leases on an end-to-end app", async () => {
  const phase = ctx.client();
  const format = await ctx.expectError(
    InvalidInputError,
    phase.export({ app: APP, env: DEV, format: "docx" }),
  );
  assert.ok(format.message.includes("docx"), format.message);
  const emptyApp = await ctx.expectError(
    InvalidInputError,
    phase.get({ app: "", env: DEV }),
  );
  assert.ok(emptyApp.message.includes("empty"), emptyApp.message);
  const emptyEnv = await ctx.expectError(
    InvalidInputError,
    phase.get({ app: APP, env: "" }),
  );
  assert.ok(emptyEnv.message.includes("empty"), emptyEnv.message);
  const kind = await ctx.expectError(
    InvalidInputError,
    phase.update({ app: APP, env: DEV, key: "DB_HOST", type: "vault" }),
  );
  assert.ok(kind.message.includes("vault"), kind.message);
  const sse = await ctx.expectError(
    InvalidInputError,
    phase.leaseGenerate({ app: E2EE_APP, env: DEV, secretId: "x" }),
  );
  assert.equal(sse.status, 400);
});

test("invalid settings throw InvalidInputError from the constructor", async () => {
  const { server } = ctx;
  const token = server.tokens["sa-token"];
  for (const options of [
    { host: "ftp://example.com" },
    { host: "not a url" },
    { timeout: 0 },
    { timeout: -1 },
    { timeout: 1e20 },
    { connectTimeout: Number.NaN },
    { sessionTtl: 0 },
    { caBundle: "/nonexistent/ca.pem" },
    { timeout: "10" },
    { verifySsl: "no" },
    { debug: 1 },
  ]) {
    const error = ctx.expectThrow(
      InvalidInputError,
      () => new Client({ token, host: server.url, ...options }),
    );
    assert.equal(error.code, "invalid_input", JSON.stringify(options));
  }
  for (const options of [5, "token", true]) {
    const error = ctx.expectThrow(InvalidInputError, () => new Client(options));
    assert.ok(error.message.includes("expected an object"), error.message);
  }
  assert.deepEqual(await ctx.requests(), {});
});

test("durations, deadline and maxResponseBytes out of range name the JavaScript field", async () => {
  const { server } = ctx;
  const token = server.tokens["sa-token"];
  const cases = [];
  for (const name of ["timeout", "connectTimeout", "sessionTtl", "deadline"]) {
    for (const value of [0, -1, Number.NaN, Infinity, 1e20]) {
      cases.push([name, value, `${name} must be a positive number of seconds`]);
    }
  }
  for (const value of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 64]) {
    cases.push([
      "maxResponseBytes",
      value,
      "maxResponseBytes must be a whole number of bytes, at least 1",
    ]);
  }
  for (const name of ["deadline", "maxResponseBytes"]) {
    cases.push([name, "10", `client options: ${name} must be a number`]);
  }
  for (const [name, value, message] of cases) {
    const error = ctx.expectThrow(
      InvalidInputError,
      () => new Client({ token, host: server.url, [name]: value }),
    );
    assert.equal(
      error.message,
      `invalid_input: ${message}`,
      `${name}: ${value}`,
    );
  }
  // The smallest and largest accepted values.
  for (const options of [
    { deadline: 0.001, maxResponseBytes: 1 },
    { deadline: 86400, maxResponseBytes: 2 ** 53 - 1 },
  ]) {
    assert.ok(new Client({ token, host: server.url, ...options }));
  }
  assert.deepEqual(await ctx.requests(), {});
});

test("other malformed tokens throw AuthenticationError before any request, echoing none of it", async () => {
  const { server } = ctx;
  const real = server.tokens["sa-token"];
  const fields = real.split(":");
  const cases = [
    ["", "the token is empty"],
    [" \t ", "the token is empty"],
    [
      ["pss_other", ...fields.slice(1)].join(":"),
      "starts with pss_service: or pss_user:",
    ],
    [`${real}:extra`, "expected 6 ':'-separated fields, found 7"],
    [fields.slice(0, 5).join(":"), "expected 6 ':'-separated fields, found 5"],
    [
      [
        ...fields.slice(0, 2),
        `${fields[2].slice(0, -1)}g`,
        ...fields.slice(3),
      ].join(":"),
      "bearer token (field 3) must be 64 hexadecimal characters",
    ],
    // Header injection: the token goes into Authorization, so line breaks must never pass.
    [`${real}\r\nX-Injected: 1`, "found 7"],
    [real.replace(":v2:", ":v2\n:"), "must be a version"],
  ];
  for (const [token, fragment] of cases) {
    const error = ctx.expectThrow(
      AuthenticationError,
      () => new Client({ token, host: server.url }),
      ...fields.slice(2),
    );
    assertErrorFields(error, "invalid_token", null, false);
    assert.ok(error.message.includes(fragment), error.message);
  }
  assert.deepEqual(await ctx.requests(), {});
});

test("malformed hosts throw InvalidInputError before any request", async () => {
  const { server } = ctx;
  const token = server.tokens["sa-token"];
  const cases = [
    ["", "absolute URL"],
    ["   ", "absolute URL"],
    ["127.0.0.1:8080", "absolute URL"],
    ["http://", "absolute URL"],
    ["http://exa mple.com", "absolute URL"],
    ["http://[::1", "absolute URL"],
    ["file:///etc/passwd", "http:// or https://"],
    ["javascript:alert(1)", "http:// or https://"],
    [`${server.url}/?token=x`, "query or fragment"],
    [`${server.url}/#x`, "query or fragment"],
  ];
  for (const [host, fragment] of cases) {
    const error = ctx.expectThrow(
      InvalidInputError,
      () => new Client({ token, host }),
    );
    assert.ok(error.message.includes(fragment), `${host}: ${error.message}`);
  }
  assert.deepEqual(await ctx.requests(), {});
});

test("a password in the host is refused without being shown", () => {
  const { server } = ctx;
  const password = "hostPa55word";
  const error = ctx.expectThrow(
    InvalidInputError,
    () =>
      new Client({
        token: server.tokens["sa-token"],
        host: server.url.replace("://", `://someone:${password}@`),
      }),
  );
  assert.ok(error.message.includes("user name or password"), error.message);
  // The message names the place only: the output of a failing test must not show it.
  assert.ok(!error.message.includes(password), "the error shows the password");
});

test("a 429 with a long Retry-After fails at once as RateLimitError with retryAfter", async () => {
  const { server } = ctx;
  for (const options of [{}, { maxRetries: 0 }]) {
    const phase = ctx.client("sa-token", options);
    await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
    await server.resetRequests();
    await server.faults({ throttle_next: 1, retry_after: 120 });
    const started = performance.now();
    const error = await ctx.expectError(
      RateLimitError,
      phase.get({ app: APP, env: DEV }),
    );
    assert.ok(performance.now() - started < 5000);
    assert.deepEqual(
      [error.code, error.status, error.retryAfter, error.retryable],
      ["rate_limited", 429, 120, true],
    );
    assert.equal(typeof error.retryAfter, "number");
    assert.deepEqual(await ctx.requests(), { [SECRETS]: 1 });
    const after = await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
    assert.equal(after.value, "db.dev.internal");
  }
});

test("a 429 with Retry-After: 1 is waited for and retried", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  await faultAfterARead(server, phase, { throttle_next: 1, retry_after: 1 });
  const started = performance.now();
  const secret = await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.equal(secret.value, "db.dev.internal");
  assert.ok(performance.now() - started >= 900);
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 2 });
});

test("a rate-limit window gives the rest of the window as retryAfter", async () => {
  const { server } = ctx;
  await server.faults({ rate_limit: { requests: 1, per_seconds: 60 } });
  const error = await ctx.expectError(
    RateLimitError,
    ctx.client("reader-token").get({ app: APP, env: DEV }),
  );
  assert.ok(
    error.retryAfter >= 55 && error.retryAfter <= 60,
    `${error.retryAfter}`,
  );
  assert.equal(error.retryable, true);
});

test("a closed port is a retryable NetworkError, not a timeout", async () => {
  const { server } = ctx;
  const phase = new Client({
    token: server.tokens["sa-token"],
    host: await closedPortUrl(),
    maxRetries: 0,
  });
  const error = await ctx.expectError(
    NetworkError,
    phase.get({ app: APP, env: DEV }),
  );
  assert.ok(!(error instanceof RequestTimeoutError));
  assertErrorFields(error, "network", null, true);
});

test("a dropped connection is a NetworkError without retries, and retried by default", async () => {
  const { server } = ctx;
  await server.faults({ drop_next: 1 });
  const error = await ctx.expectError(
    NetworkError,
    ctx.client("sa-token", { maxRetries: 0 }).get({ app: APP, env: DEV }),
  );
  assert.deepEqual([error.code, error.retryable], ["network", true]);
  await server.faults({ drop_next: 1 });
  const secret = await ctx.client().getSecret({
    app: APP,
    env: DEV,
    key: "DB_HOST",
  });
  assert.equal(secret.value, "db.dev.internal");
});

test("a slow server is a RequestTimeoutError, a NetworkError, after about the timeout", async () => {
  const { server } = ctx;
  await server.faults({ latency_ms: 1000 });
  const phase = ctx.client("sa-token", { timeout: 0.2, maxRetries: 0 });
  const started = performance.now();
  const error = await ctx.expectError(
    RequestTimeoutError,
    phase.get({ app: APP, env: DEV }),
  );
  const elapsed = performance.now() - started;
  assert.ok(elapsed > 150 && elapsed < 900, `${elapsed} ms`);
  assert.ok(error instanceof NetworkError);
  assertErrorFields(error, "timeout", null, true);
});

test("a token whose wrap key was changed while copying is an AuthenticationError saying so", async () => {
  const { server } = ctx;
  const parts = server.tokens["sa-token"].split(":");
  const last = parts.length - 1;
  parts[last] = (parts[last][0] === "0" ? "1" : "0") + parts[last].slice(1);
  const mispasted = parts.join(":");
  const phase = new Client({ token: mispasted, host: server.url });
  const error = await ctx.expectError(
    AuthenticationError,
    phase.get({ app: APP, env: DEV }),
    ...tokenParts(mispasted),
  );
  assert.equal(error.code, "invalid_token");
  assert.match(error.message, /not copied whole/);
});

test("a call cut off by its deadline names the deadline once", async () => {
  const { server } = ctx;
  await server.faults({ latency_ms: 2000 });
  const phase = ctx.client("sa-token", { deadline: 0.5 });
  const error = await ctx.expectError(
    RequestTimeoutError,
    phase.get({ app: APP, env: DEV }),
  );
  assert.equal(error.message.split("deadline").length - 1, 1, error.message);
});

test("a 500 is a ServerError, not retryable and not retried", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  await faultAfterARead(server, phase, { fail_next: 1, fail_status: 500 });
  const error = await ctx.expectError(
    ServerError,
    phase.get({ app: APP, env: DEV }),
  );
  assertErrorFields(error, "server", 500, false);
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 1 });
  await assertReadsDbHost(phase);
});

test("a 503 is retried; without retries it is a retryable ServerError", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  await faultAfterARead(server, phase, { fail_next: 1, fail_status: 503 });
  await assertReadsDbHost(phase);
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 2 });
  await server.faults({ fail_next: 1, fail_status: 503 });
  const error = await ctx.expectError(
    ServerError,
    ctx.client("sa-token", { maxRetries: 0 }).get({ app: APP, env: DEV }),
  );
  assert.deepEqual([error.status, error.retryable], [503, true]);
});

test("an answer that is not Phase's is a ProtocolError", async () => {
  const { server } = ctx;
  for (const [status, type, body, fragment] of [
    [200, "text/html", "<html>hello</html>", "not valid JSON"],
    [200, "application/json", '{"unexpected": true}', "missing field"],
    [404, "text/html", "<html>nope</html>", "no such endpoint"],
  ]) {
    const impostor = createServer((_request, response) => {
      response.writeHead(status, { "Content-Type": type });
      response.end(body);
    });
    await new Promise((done) => impostor.listen(0, "127.0.0.1", done));
    try {
      const phase = new Client({
        token: server.tokens["sa-token"],
        host: `http://127.0.0.1:${impostor.address().port}`,
        maxRetries: 0,
      });
      const error = await ctx.expectError(
        ProtocolError,
        phase.get({ app: APP, env: DEV }),
      );
      assertErrorFields(
        error,
        "protocol",
        status === 200 ? null : status,
        false,
      );
      assert.ok(error.message.includes(fragment), error.message);
    } finally {
      await new Promise((done) => impostor.close(done));
    }
  }
});

test("a ciphertext encrypted to another key is a DecryptionError naming no plaintext", async () => {
  const { server } = ctx;
  const fake = `ph:v1:${"ab".repeat(32)}:${randomBytes(60).toString("base64")}`;
  const bearer = server.tokens["sa-token"].split(":")[2];
  const response = await fetch(`${server.url}/service/secrets/`, {
    method: "POST",
    headers: {
      Authorization: `Bearer ServiceAccount ${bearer}`,
      Environment: server.envId(APP, DEV),
      "Content-Type": "application/json",
    },
    body: JSON.stringify({
      secrets: [
        {
          key: fake,
          value: fake,
          comment: "",
          keyDigest: "00".repeat(32),
          path: "/tampered",
          tags: [],
        },
      ],
    }),
  });
  assert.equal(response.status, 200, await response.text());
  const phase = ctx.client();
  const error = await ctx.expectError(
    DecryptionError,
    phase.get({ app: APP, env: DEV }),
    fake,
  );
  assert.deepEqual([error.code, error.retryable], ["decrypt_failed", false]);
  assert.equal(
    (await phase.get({ app: APP, env: DEV, path: "/" })).length,
    8,
    "other folders still read",
  );
});

test("an unresolvable (strict) or circular reference is a SecretReferenceError", async () => {
  const phase = ctx.client();
  const missing = await ctx.expectError(
    SecretReferenceError,
    phase.get({ app: REFS_APP, env: DEV, strict: true }),
  );
  assert.deepEqual(
    [missing.code, missing.retryable],
    ["reference_unresolved", false],
  );
  const cycle = await ctx.expectError(
    SecretReferenceError,
    phase.get({ app: REFS_APP, env: PROD }),
  );
  assert.equal(cycle.code, "reference_cycle");
});

test("errors carry plain own fields, serialise without secrets, and rethrow as PhaseError", async () => {
  const error = await ctx.expectError(
    NotFoundError,
    ctx.client().getSecret({ app: APP, env: DEV, key: "NOPE" }),
  );
  assert.deepEqual(Object.keys(error), [
    "code",
    "status",
    "retryAfter",
    "retryable",
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(error)), {
    code: "secret_not_found",
    status: null,
    retryAfter: null,
    retryable: false,
  });
  assert.equal(String(error), `NotFoundError: ${error.message}`);
  await assert.rejects(
    async () => {
      throw error;
    },
    (thrown) => thrown === error && thrown instanceof PhaseError,
  );
});
