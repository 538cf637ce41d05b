// Construction: Client.fromEnv() and environment fallbacks (child processes), host, debug.

import assert from "node:assert/strict";
import { test } from "node:test";

import { Client } from "phasekit";

import {
  APP,
  DEV,
  PROD,
  assertNoLeak,
  assertReadsDbHost,
  runNode,
  useServer,
} from "./support.mjs";

const ctx = useServer();

/** Runs `body` (an async function body using `Client`) in a child; resolves to its JSON output. */
async function inChild(body, env) {
  const source = `
    import { Client, PhaseError } from "phasekit";
    const report = async () => { ${body} };
    try {
      console.log(JSON.stringify({ ok: await report() }));
    } catch (error) {
      console.log(JSON.stringify({
        error: {
          name: error.name,
          code: error.code,
          message: error.message,
          phase: error instanceof PhaseError,
        },
      }));
    }
  `;
  const { code, stdout, stderr } = await runNode(source, env);
  assert.equal(code, 0, stderr);
  return { ...JSON.parse(stdout), stderr };
}

test("Client.fromEnv() takes PHASE_SERVICE_TOKEN and PHASE_HOST", async () => {
  const { server } = ctx;
  const { ok } = await inChild(
    `
      const client = Client.fromEnv();
      const secret = await client.getSecret({ app: "${APP}", env: "${PROD}", key: "DB_HOST" });
      return { host: client.host, value: secret.value, text: String(client) };
    `,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
      PHASE_HOST: `${server.url}/`,
    },
  );
  assert.deepEqual(ok, {
    host: server.url,
    value: "db.prod.internal",
    text: `Client(host="${server.url}")`,
  });
});

test("new Client() without options, with {} or undefined also reads the environment", async () => {
  const { server } = ctx;
  const { ok } = await inChild(
    `
      const values = [];
      for (const client of [new Client(), new Client({}), new Client(undefined), new Client(null)]) {
        const found = await client.get({ app: "${APP}", env: "${DEV}", path: "/db" });
        values.push([client.host, found.map((s) => s.value).join(",")]);
      }
      return values;
    `,
    { PHASE_SERVICE_TOKEN: server.tokens["sa-token"], PHASE_HOST: server.url },
  );
  assert.deepEqual(ok, Array(4).fill([server.url, "app_user,dev-Pa55w0rd!"]));
});

test("a token and host given as options win over the environment", async () => {
  const { server } = ctx;
  const { ok } = await inChild(
    `
      const client = new Client({ token: ${JSON.stringify(server.tokens["sa-token"])}, host: "${server.url}" });
      const secret = await client.getSecret({ app: "${APP}", env: "${DEV}", key: "DB_HOST" });
      return [client.host, secret.value];
    `,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-expired"],
      PHASE_HOST: "http://127.0.0.1:9",
    },
  );
  assert.deepEqual(ok, [server.url, "db.dev.internal"]);
});

test("Client.fromEnv() without PHASE_SERVICE_TOKEN throws AuthenticationError at once", async () => {
  const { error } = await inChild(`return Client.fromEnv().host;`, {});
  assert.deepEqual(
    [error.name, error.code, error.phase],
    ["AuthenticationError", "invalid_token", true],
  );
  assert.ok(error.message.includes("PHASE_SERVICE_TOKEN"), error.message);
});

test("Client.fromEnv() without PHASE_HOST talks to Phase Cloud", async () => {
  const { ok } = await inChild(`return Client.fromEnv().host;`, {
    PHASE_SERVICE_TOKEN: ctx.server.tokens["sa-token"],
  });
  assert.equal(ok, "https://console.phase.dev");
});

test("the host loses a trailing slash and a /service suffix", async () => {
  const { server } = ctx;
  let last;
  for (const host of [server.url, `${server.url}/`, `${server.url}/service/`]) {
    last = new Client({ token: server.tokens["sa-token"], host });
    assert.equal(last.host, server.url);
    assert.equal(String(last), `Client(host="${server.url}")`);
  }
  await assertReadsDbHost(last);
});

test("debug: true and PHASE_DEBUG=1 never print a value or a token part", async () => {
  const { server } = ctx;
  const { ok, stderr } = await inChild(
    `
      const client = new Client({ debug: true });
      const found = await client.get({ app: "${APP}", env: "${DEV}" });
      return found.length;
    `,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
      PHASE_HOST: server.url,
      PHASE_DEBUG: "1",
    },
  );
  assert.equal(ok, 12);
  assertNoLeak(server, stderr);
});

test("debug: true logs each request's method and path on stderr, never a value or token", async () => {
  const { server } = ctx;
  const { stderr } = await inChild(
    `return (await new Client({ debug: true }).get({ app: "${APP}", env: "${DEV}" })).length;`,
    {
      PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
      PHASE_HOST: server.url,
    },
  );
  assert.match(
    stderr,
    /phase request.*method="?GET"?.*path="?\/secrets\/tokens\/"?/,
  );
  assert.match(stderr, /path="?\/secrets\/"?.*outcome="?ok/);
  for (const part of server.tokens["sa-token"].split(":").slice(2)) {
    assert.ok(!stderr.includes(part), "a token part reached the log");
  }
  assert.ok(
    !stderr.includes("db.dev.internal"),
    "a secret value reached the log",
  );
});

test("without debug nothing is logged, but turning TLS verification off warns", async () => {
  const { server } = ctx;
  const env = {
    PHASE_SERVICE_TOKEN: server.tokens["sa-token"],
    PHASE_HOST: server.url,
  };
  const quiet = await inChild(
    `return (await new Client().get({ app: "${APP}", env: "${DEV}" })).length;`,
    env,
  );
  assert.equal(quiet.stderr, "");
  const warned = await inChild(
    `return (await new Client({ verifySsl: false }).get({ app: "${APP}", env: "${DEV}" })).length;`,
    env,
  );
  assert.match(warned.stderr, /WARN.*TLS certificate verification is disabled/);
  assert.doesNotMatch(warned.stderr, /phase request/);
});
