// Load: hundreds of concurrent calls on one client, an event loop that never stalls, worker threads.

import assert from "node:assert/strict";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { test } from "node:test";
import { Worker } from "node:worker_threads";

import {
  APP,
  DB_FOLDER,
  DB_VALUES,
  DEV,
  PROD,
  SECRETS,
  TOKENS,
  byKey,
  useServer,
} from "./support.mjs";

const ctx = useServer();

test("200 concurrent gets on one cold client all succeed with the right values", async () => {
  const phase = ctx.client();
  const calls = Array.from({ length: 200 }, (_, i) =>
    i % 2
      ? phase.get(DB_FOLDER).then(byKey)
      : phase
          .getSecret({ app: APP, env: i % 4 ? DEV : PROD, key: "DB_HOST" })
          .then((s) => ({ DB_HOST: s.value })),
  );
  const results = await Promise.all(calls);
  results.forEach((result, i) => {
    const expected =
      i % 2
        ? DB_VALUES
        : { DB_HOST: i % 4 ? "db.dev.internal" : "db.prod.internal" };
    assert.deepEqual(result, expected, `call ${i}`);
  });
  assert.deepEqual(await ctx.requests(), { [TOKENS]: 1, [SECRETS]: 200 });
});

test("the event loop keeps ticking while 200 slow gets are in flight", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  await phase.get(DB_FOLDER);
  await server.faults({ latency_ms: 300 });
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let ticks = 0;
  const ticker = setInterval(() => {
    ticks += 1;
  }, 10);
  const started = performance.now();
  let settled = 0;
  const calls = Array.from({ length: 200 }, () =>
    phase.get(DB_FOLDER).then((found) => {
      settled += 1;
      return found;
    }),
  );
  // While every call waits on the server, JavaScript keeps running.
  await new Promise((done) => setTimeout(done, 100));
  assert.equal(settled, 0, "the calls are still in flight");
  assert.ok(ticks >= 3, `only ${ticks} ticks in the first 100 ms`);
  const results = await Promise.all(calls);
  const elapsed = performance.now() - started;
  clearInterval(ticker);
  delay.disable();
  for (const found of results) assert.deepEqual(byKey(found), DB_VALUES);
  assert.ok(elapsed >= 290, `${elapsed} ms: the latency was not applied`);
  assert.ok(
    ticks >= (elapsed / 10) * 0.3,
    `${ticks} ticks in ${Math.round(elapsed)} ms`,
  );
  const worst = delay.max / 1e6;
  assert.ok(worst < 150, `the event loop stalled ${worst.toFixed(1)} ms`);
});

test("two slow gets overlap instead of queueing", async () => {
  const { server } = ctx;
  const phase = ctx.client();
  await phase.get(DB_FOLDER);
  await server.faults({ latency_ms: 300 });
  const started = performance.now();
  const both = await Promise.all([phase.get(DB_FOLDER), phase.get(DB_FOLDER)]);
  const elapsed = performance.now() - started;
  assert.deepEqual(both.map(byKey), [DB_VALUES, DB_VALUES]);
  assert.ok(elapsed >= 285, `${elapsed} ms`);
  assert.ok(
    elapsed < 550,
    `two 300 ms gets took ${Math.round(elapsed)} ms: they did not overlap`,
  );
});

/**
 * Runs `body` in a worker thread that imports phasekit (by package name, resolved here) and
 * posts back what `body` returns. `body` sees `phasekit`, `token`, `url` and `workerData`.
 */
function inWorker(body, data) {
  const source = `
    const { parentPort, workerData } = require("node:worker_threads");
    (async () => {
      const phasekit = await import(workerData.entry);
      const { token, url } = workerData;
      ${body}
    })().then(
      (result) => parentPort.postMessage({ result }),
      (error) => parentPort.postMessage({ failure: String(error && error.stack || error) }),
    );
  `;
  const worker = new Worker(source, {
    eval: true,
    workerData: { entry: import.meta.resolve("phasekit"), ...data },
  });
  const message = new Promise((done, fail) => {
    worker.once("message", done);
    worker.once("error", fail);
  });
  return { worker, message };
}

const WORKER_READS = `
  const { Client, PhaseError, NotFoundError } = phasekit;
  const client = new Client({ token, host: url });
  const [db, host] = await Promise.all([
    client.get({ app: "${APP}", env: "${DEV}", path: "/db" }),
    client.getSecret({ app: "${APP}", env: "${PROD}", key: "DB_HOST" }),
  ]);
  let error;
  try {
    await client.getSecret({ app: "${APP}", env: "${DEV}", key: "NOPE" });
  } catch (caught) {
    error = caught;
  }
  return {
    db: Object.fromEntries(db.map((s) => [s.key, s.value])),
    host: host.value,
    error: {
      name: error.name,
      code: error.code,
      ownRealm: error instanceof NotFoundError && error instanceof PhaseError && error instanceof Error,
      constructor: error.constructor === NotFoundError,
    },
  };
`;

test("a worker thread imports phasekit, reads, and gets PhaseErrors of its own realm", async () => {
  const { server } = ctx;
  const { worker, message } = inWorker(WORKER_READS, {
    token: server.tokens["sa-token"],
    url: server.url,
  });
  const reply = await message;
  await worker.terminate();
  assert.equal(reply.failure, undefined, reply.failure);
  assert.deepEqual(reply.result, {
    db: DB_VALUES,
    host: "db.prod.internal",
    error: {
      name: "NotFoundError",
      code: "secret_not_found",
      ownRealm: true,
      constructor: true,
    },
  });
});

test("two workers and the main thread read at the same time", async () => {
  const { server } = ctx;
  const data = { token: server.tokens["sa-token"], url: server.url };
  const workers = [inWorker(WORKER_READS, data), inWorker(WORKER_READS, data)];
  const main = ctx.client().get(DB_FOLDER);
  const replies = await Promise.all(workers.map((w) => w.message));
  await Promise.all(workers.map((w) => w.worker.terminate()));
  assert.deepEqual(byKey(await main), DB_VALUES);
  for (const reply of replies) {
    assert.equal(reply.failure, undefined, reply.failure);
    assert.deepEqual(reply.result.db, DB_VALUES);
    assert.equal(reply.result.host, "db.prod.internal");
    assert.deepEqual(reply.result.error.ownRealm, true);
  }
  assert.equal((await ctx.requests())[TOKENS], 3, "one session per client");
});

test("terminating a worker while its get is in flight leaves the process and other clients working", async () => {
  const { server } = ctx;
  await server.faults({ latency_ms: 800 });
  const { worker, message } = inWorker(
    `
      const client = new phasekit.Client({ token, host: url });
      client.get({ app: "${APP}", env: "${DEV}" });
      return "started";
    `,
    { token: server.tokens["sa-token"], url: server.url },
  );
  assert.deepEqual(await message, { result: "started" });
  await new Promise((done) => setTimeout(done, 100));
  assert.equal(await worker.terminate(), 1);
  // The worker's call finishes on the core's runtime after its realm is gone.
  await new Promise((done) => setTimeout(done, 1200));
  await server.clearFaults();
  const secret = await ctx.client().getSecret({
    app: APP,
    env: DEV,
    key: "DB_HOST",
  });
  assert.equal(secret.value, "db.dev.internal");
});
