// Broken answers from a server that says 200 (fault injection's corrupt_next): truncated, not
// JSON, of the wrong shape, with tampered ciphertexts, or larger than maxResponseBytes. Each is a
// typed error naming the endpoint and no secret, never a result passed off as complete, and the
// next call, answered intact, works.

import assert from "node:assert/strict";
import { test } from "node:test";

import { DecryptionError, ProtocolError } from "phasekit";

import {
  APP,
  DB_FOLDER,
  DB_VALUES,
  SECRETS,
  TOKENS,
  byKey,
  expectError,
  requests,
  useServer,
} from "./support.mjs";

const ctx = useServer();

/** The two endpoints of a read: the session (/secrets/tokens/) and the ciphertexts (/secrets/). */
const ENDPOINTS = [
  { path: "/secrets/tokens/", counted: TOKENS },
  { path: "/secrets/", counted: SECRETS },
];

const CORRUPTIONS = [
  { corruption: "truncate", Kind: ProtocolError, fragment: "ends early" },
  { corruption: "not_json", Kind: ProtocolError, fragment: "not valid JSON" },
  {
    corruption: "wrong_shape",
    Kind: ProtocolError,
    fragment: "missing or has the wrong type",
  },
  { corruption: "tamper", Kind: DecryptionError, fragment: "altered" },
];

/**
 * A client whose next get sends exactly one request to `path`: cold (no session yet) for
 * /secrets/tokens/, warm for /secrets/, with zeroed request counts.
 */
async function readyFor(path, options = {}) {
  const phase = ctx.client("sa-token", options);
  if (path === "/secrets/")
    await phase.getSecret({ ...DB_FOLDER, key: "DB_USER" });
  await ctx.server.resetRequests();
  return phase;
}

for (const { path, counted } of ENDPOINTS) {
  for (const { corruption, Kind, fragment } of CORRUPTIONS) {
    test(`${corruption} of ${path} is a ${Kind.name}, and the next call works`, async () => {
      const { server } = ctx;
      const phase = await readyFor(path);
      await server.faults({ path, corrupt_next: 1, corruption });
      const error = await expectError(server, Kind, phase.get(DB_FOLDER));
      assert.equal(
        error.code,
        Kind === ProtocolError ? "protocol" : "decrypt_failed",
      );
      assert.deepEqual([error.status, error.retryable], [null, false]);
      assert.ok(error.message.includes(fragment), error.message);
      if (Kind === ProtocolError) {
        assert.ok(error.message.includes(`GET ${path}`), error.message);
      }
      assert.deepEqual((await requests(server))[counted], 1);
      // Nothing of the bad answer was kept: a tampered session is dropped, and an intact answer
      // decrypts and parses as usual.
      assert.deepEqual(byKey(await phase.get(DB_FOLDER)), DB_VALUES);
    });
  }
}

test("a tampered answer's DecryptionError names the endpoint it came from", async () => {
  const { server } = ctx;
  for (const { path } of ENDPOINTS) {
    const phase = await readyFor(path);
    await server.faults({ path, corrupt_next: 1, corruption: "tamper" });
    const error = await ctx.expectError(DecryptionError, phase.get(DB_FOLDER));
    assert.ok(error.message.includes(path), error.message);
  }
});

test("apps and environments read only the session: its corruption is a ProtocolError", async () => {
  const { server } = ctx;
  for (const { corruption } of CORRUPTIONS.filter(
    (c) => c.Kind === ProtocolError,
  )) {
    for (const call of [
      (phase) => phase.apps(),
      (phase) => phase.environments({ app: APP }),
    ]) {
      const phase = ctx.client();
      await server.faults({
        path: "/secrets/tokens/",
        corrupt_next: 1,
        corruption,
      });
      const error = await ctx.expectError(ProtocolError, call(phase));
      assert.ok(error.message.includes("GET /secrets/tokens/"), error.message);
      assert.ok((await call(phase)).length > 0);
    }
  }
});

test("a write whose lookup is corrupted is refused before anything is written", async () => {
  const { server } = ctx;
  const phase = await readyFor("/secrets/");
  await server.faults({
    path: "/secrets/",
    corrupt_next: 1,
    corruption: "wrong_shape",
  });
  await ctx.expectError(
    ProtocolError,
    phase.update({
      ...DB_FOLDER,
      key: "DB_USER",
      value: "never-written-value",
    }),
    "never-written-value",
  );
  assert.deepEqual(await ctx.requests(), { [SECRETS]: 1 });
  assert.equal(
    (await phase.getSecret({ ...DB_FOLDER, key: "DB_USER" })).value,
    DB_VALUES.DB_USER,
  );
});

for (const { path, counted } of ENDPOINTS) {
  test(`an answer of ${path} over maxResponseBytes is a ProtocolError, not read`, async () => {
    const { server } = ctx;
    const limit = 64 * 1024;
    const phase = await readyFor(path, { maxResponseBytes: limit });
    // A valid empty list: without the limit, /secrets/ would pass for an empty folder.
    await server.faults({
      path,
      corrupt_next: 1,
      corruption: "huge",
      huge_bytes: 2 * 1024 * 1024,
    });
    const error = await ctx.expectError(ProtocolError, phase.get(DB_FOLDER));
    assert.ok(
      error.message.includes(`larger than the ${limit}-byte limit`),
      error.message,
    );
    assert.ok(error.message.includes(path), error.message);
    assert.deepEqual([error.status, error.retryable], [null, false]);
    assert.deepEqual((await ctx.requests())[counted], 1);
    assert.deepEqual(byKey(await phase.get(DB_FOLDER)), DB_VALUES);
  });
}

test("maxResponseBytes is a limit, not a hint: an ordinary answer above it is refused too", async () => {
  // The session of the seeded world is several kilobytes.
  const tight = ctx.client("sa-token", { maxResponseBytes: 1024 });
  const error = await ctx.expectError(ProtocolError, tight.apps());
  assert.ok(error.message.includes("1024-byte limit"), error.message);
  const roomy = ctx.client("sa-token", { maxResponseBytes: 2 ** 40 });
  assert.deepEqual(byKey(await roomy.get(DB_FOLDER)), DB_VALUES);
});
