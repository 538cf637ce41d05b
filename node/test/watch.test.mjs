// client.watch(options, callback): changes made by another client arrive as { added, changed,
// removed }; transient failures are reported and polling goes on; a refusal is the last call;
// close() stops the polling (the server's request counts prove it) and no call follows it.
// An open watch keeps the event loop alive until it is closed or ends, in the main thread and
// in worker threads; a worker torn down with a watch open stops its polling.

import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "node:test";
import { Worker } from "node:worker_threads";

import {
  InvalidInputError,
  NotFoundError,
  PermissionDeniedError,
  ServerError,
  Watch,
} from "phasekit";

import {
  APP,
  DB_FOLDER,
  DEV,
  SECRETS,
  assertNoLeak,
  requests,
  runNode,
  until,
  useServer,
} from "./support.mjs";

const ctx = useServer();

/** Polling fast enough that each test takes a fraction of a second. */
const FAST = { interval: 0.1, maxBackoff: 0.4 };
/** The folder mostly watched: its secrets have no references, so one write is one change. */
const FAST_DB = { ...DB_FOLDER, ...FAST };

/**
 * Starts a watch whose calls are queued; `next()` resolves to the next `{ error, change }`
 * (failing after 5 s), `calls` holds every call so far.
 */
function watching(phase, options) {
  const calls = [];
  const waiting = [];
  const watch = phase.watch(options, (error, change) => {
    const call = { error, change };
    calls.push(call);
    waiting.shift()?.(call);
  });
  let delivered = 0;
  const next = async () => {
    const index = delivered++;
    if (index < calls.length) return calls[index];
    let timer;
    try {
      return await new Promise((done, fail) => {
        waiting.push(done);
        timer = setTimeout(
          () => fail(new Error("no watch callback within 5 s")),
          5000,
        );
      });
    } finally {
      // Not left running: it would hold the test file open.
      clearTimeout(timer);
    }
  };
  return { watch, calls, next };
}

/** Resolves once the server has answered `count` listings since the last reset. */
function listings(server, count = 1) {
  return until(
    async () => ((await requests(server))[SECRETS] ?? 0) >= count,
    `${count} GET /secrets/`,
  );
}

test("a change by another client is reported as { changed: [key] }", async () => {
  const { server } = ctx;
  const { watch, next, calls } = watching(ctx.client(), FAST_DB);
  try {
    assert.ok(watch instanceof Watch);
    await listings(server);
    await ctx.client().update({
      ...DB_FOLDER,
      key: "DB_PASSWORD",
      value: "watch-rotated-password",
    });
    const { error, change } = await next();
    assert.equal(error, null);
    assert.deepEqual(change, {
      added: [],
      changed: ["/db/DB_PASSWORD"],
      removed: [],
    });
    // Only names: nothing of the old or new value.
    assertNoLeak(server, JSON.stringify(calls), "watch-rotated-password");
  } finally {
    watch.close();
  }
});

test("created and deleted secrets are reported as added and removed", async () => {
  const { server } = ctx;
  const writer = ctx.client();
  const { watch, next } = watching(ctx.client(), {
    app: APP,
    env: DEV,
    ...FAST,
  });
  try {
    await listings(server);
    await writer.create({
      app: APP,
      env: DEV,
      secrets: [{ key: "WATCH_NEW", value: "watch-new-value" }],
    });
    await writer.delete({ ...DB_FOLDER, keys: ["DB_USER"] });
    // The two writes may land in one poll or two. Deleting DB_USER also changes what
    // DATABASE_URL resolves to (it references it).
    const seen = { added: [], changed: [], removed: [] };
    while (seen.added.length === 0 || seen.removed.length === 0) {
      const { error, change } = await next();
      assert.equal(error, null);
      for (const list of ["added", "changed", "removed"]) {
        seen[list].push(...change[list]);
      }
    }
    assert.deepEqual(seen.added, ["WATCH_NEW"]);
    assert.deepEqual(seen.removed, ["/db/DB_USER"]);
  } finally {
    watch.close();
  }
});

test("transient failures reach the callback and later changes still arrive", async () => {
  const { server } = ctx;
  // No retries inside a poll: every failed poll is reported.
  const phase = ctx.client("sa-token", { maxRetries: 0 });
  const { watch, next } = watching(phase, FAST_DB);
  try {
    await listings(server);
    await server.faults({ fail_next: 2, fail_status: 503, path: "/secrets/" });
    for (let i = 0; i < 2; i++) {
      const { error, change } = await next();
      assert.ok(error instanceof ServerError, `${error}`);
      assert.equal(error.code, "server");
      assert.equal(error.status, 503);
      assert.equal(error.retryable, true);
      assert.equal(change, undefined);
      assertNoLeak(server, `${error.stack}`);
    }
    await ctx.client().create({
      app: APP,
      env: DEV,
      secrets: [{ key: "AFTER_FAULTS", value: "after-faults", path: "/db" }],
    });
    const { error, change } = await next();
    assert.equal(error, null);
    assert.deepEqual(change.added, ["/db/AFTER_FAULTS"]);
  } finally {
    watch.close();
  }
});

test("a refusal (403) is the last call, and polling stops", async () => {
  const { server } = ctx;
  const { watch, next, calls } = watching(ctx.client(), FAST_DB);
  try {
    await listings(server);
    await server.faults({ fail_next: 1, fail_status: 403, path: "/secrets/" });
    const { error } = await next();
    assert.ok(error instanceof PermissionDeniedError, `${error}`);
    assert.equal(error.retryable, false);
    await sleep(100);
    await server.resetRequests();
    await ctx.client().update({
      ...DB_FOLDER,
      key: "DB_USER",
      value: "after-403",
    });
    await sleep(400);
    assert.equal(calls.length, 1);
    // Only the writer's own requests.
    assert.equal((await ctx.requests())[SECRETS], 1);
  } finally {
    watch.close();
  }
});

test("a scope that does not exist is reported once, as the last call", async () => {
  const { watch, next, calls } = watching(ctx.client(), {
    app: APP,
    env: "NoSuchEnvironment",
    ...FAST,
  });
  try {
    const { error } = await next();
    assert.ok(error instanceof NotFoundError, `${error}`);
    await sleep(300);
    assert.equal(calls.length, 1);
  } finally {
    watch.close();
  }
});

test("close() stops the polling, is idempotent, and no call follows it", async () => {
  const { server } = ctx;
  const { watch, calls } = watching(ctx.client(), FAST_DB);
  await listings(server, 2);
  // A change is found by the next poll, but close() comes first.
  await ctx.client().update({
    ...DB_FOLDER,
    key: "DB_USER",
    value: "after-close",
  });
  watch.close();
  watch.close();
  await sleep(100);
  await server.resetRequests();
  await sleep(400);
  assert.deepEqual(await ctx.requests(), {});
  assert.deepEqual(calls, []);
});

test("watch arguments are checked: InvalidInputError, thrown at once", () => {
  const phase = ctx.client();
  for (const [options, callback, message] of [
    [
      { ...DB_FOLDER, interval: 0 },
      () => {},
      /interval must be a positive number/,
    ],
    [
      { ...DB_FOLDER, maxBackoff: -1 },
      () => {},
      /maxBackoff must be a positive/,
    ],
    [{ ...DB_FOLDER, intervall: 1 }, () => {}, /unknown field intervall/],
    [{ app: APP }, () => {}, /env is required/],
    [{ env: DEV }, () => {}, /by name \(app\) or by id \(appId\)/],
    [{ ...DB_FOLDER, interval: "1" }, () => {}, /interval must be a number/],
    [DB_FOLDER, undefined, /callback must be a function/],
    [DB_FOLDER, "callback", /callback must be a function/],
    [undefined, () => {}, /watch options: expected an object/],
  ]) {
    const error = ctx.expectThrow(InvalidInputError, () =>
      phase.watch(options, callback),
    );
    assert.match(error.message, message);
  }
});

/** Runs `body` in a child process with a client `client` of the seeded service account. */
function inChild(server, body) {
  return runNode(
    `
      import { Client } from "phasekit";
      const client = new Client();
      const options = { app: "${APP}", env: "${DEV}", path: "/db", interval: 0.1 };
      ${body}
    `,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
      PHASE_HOST: server.url,
    },
  );
}

test("an open watch keeps the process alive until close()", async () => {
  const { server } = ctx;
  // Nothing but the watch is pending in the child until the change arrives.
  const child = inChild(
    server,
    `
      const watch = client.watch(options, (error, change) => {
        console.log(JSON.stringify({ error: error?.code ?? null, change }));
        watch.close();
      });
    `,
  );
  await listings(server);
  await ctx.client().update({
    ...DB_FOLDER,
    key: "DB_USER",
    value: "kept-alive",
  });
  const { code, stdout, stderr } = await child;
  assert.equal(code, 0, stderr);
  assert.deepEqual(JSON.parse(stdout), {
    error: null,
    change: { added: [], changed: ["/db/DB_USER"], removed: [] },
  });
});

test("a watch that ended with its last error, or unref(), lets the process exit", async () => {
  const { server } = ctx;
  const ended = await inChild(
    server,
    `
      client.watch({ ...options, env: "NoSuchEnvironment" }, (error) => console.log(error.code));
    `,
  );
  assert.equal(ended.code, 0, ended.stderr);
  assert.equal(ended.stdout.trim(), "env_not_found");

  const unref = await inChild(
    server,
    `
      const watch = client.watch(options, () => console.log("called"));
      console.log(watch.unref() === watch, watch.ref() === watch);
      watch.unref();
    `,
  );
  assert.equal(unref.code, 0, unref.stderr);
  assert.equal(unref.stdout.trim(), "true true");
});

test("an exception thrown by the callback is an uncaught exception", async () => {
  const { server } = ctx;
  const { code, stderr } = await inChild(
    server,
    `
      client.watch({ ...options, env: "NoSuchEnvironment" }, () => {
        throw new Error("thrown by the watch callback");
      });
    `,
  );
  assert.notEqual(code, 0);
  assert.match(stderr, /thrown by the watch callback/);
});

/** A worker thread that watches /db and posts every call; `close` closes after the first. */
function watchInWorker(server, close) {
  const source = `
    const { parentPort, workerData } = require("node:worker_threads");
    (async () => {
      const { Client } = await import(workerData.entry);
      const client = new Client({ token: workerData.token, host: workerData.url });
      const watch = client.watch(
        { app: "${APP}", env: "${DEV}", path: "/db", interval: 0.1 },
        (error, change) => {
          parentPort.postMessage({ error: error?.name ?? null, change });
          if (${close}) watch.close();
        },
      );
    })();
  `;
  return new Worker(source, {
    eval: true,
    workerData: {
      entry: import.meta.resolve("phasekit"),
      token: server.tokens["sa-token"],
      url: server.url,
    },
  });
}

test("in a worker thread: changes arrive, close() lets the worker exit", async () => {
  const { server } = ctx;
  const worker = watchInWorker(server, true);
  const message = new Promise((done, fail) => {
    worker.once("message", done);
    worker.once("error", fail);
  });
  const exited = new Promise((done) => worker.once("exit", done));
  await listings(server);
  await ctx.client().update({
    ...DB_FOLDER,
    key: "DB_USER",
    value: "worker-seen",
  });
  assert.deepEqual(await message, {
    error: null,
    change: { added: [], changed: ["/db/DB_USER"], removed: [] },
  });
  // Nothing else keeps the worker alive.
  assert.equal(await exited, 0);
});

test("terminating a worker with an open watch stops its polling", async () => {
  const { server } = ctx;
  const worker = watchInWorker(server, false);
  worker.on("error", (error) => assert.fail(error));
  await listings(server, 2);
  await worker.terminate();
  await sleep(150);
  await server.resetRequests();
  await sleep(400);
  assert.deepEqual(await ctx.requests(), {});
});
