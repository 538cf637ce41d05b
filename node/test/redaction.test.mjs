// Redaction: a Secret's value and a Client's token never show in strings, logs, inspection or JSON.

import assert from "node:assert/strict";
import { Console } from "node:console";
import { Writable } from "node:stream";
import { test } from "node:test";
import { format, inspect } from "node:util";

import { Client, Secret } from "phasekit";

import {
  APP,
  DEV,
  E2EE_APP,
  assertNoLeak,
  tokenParts,
  useServer,
} from "./support.mjs";

const ctx = useServer();

const PASSWORD_TEXT =
  'Secret(key="DB_PASSWORD", path="/db", app="interop-app", env="Development", value=<redacted>)';

/** Everything `log(console)` prints, through a real Console writing into a string. */
function captureConsole(log) {
  let text = "";
  const sink = new Writable({
    write(chunk, _encoding, done) {
      text += chunk;
      done();
    },
  });
  log(new Console({ stdout: sink, stderr: sink, colorMode: false }));
  return text;
}

/** Every way a program commonly renders a value. */
function renderings(value) {
  return [
    String(value),
    `${value}`,
    format("%s %o %O %j", value, value, value, value),
    inspect(value),
    inspect(value, { showHidden: true, getters: true, depth: Infinity }),
    JSON.stringify(value),
    JSON.stringify({ nested: { value } }),
    captureConsole((console) => {
      console.log(value);
      console.info("secret:", value);
      console.error(value);
      console.dir(value, { showHidden: true, depth: null });
      console.table(value);
    }),
  ];
}

test("a Secret renders as Secret(key, path, app, env, value=<redacted>) everywhere", async () => {
  const secret = await ctx.client().getSecret({
    app: APP,
    env: DEV,
    key: "DB_PASSWORD",
    path: "/db",
  });
  assert.equal(secret.value, "dev-Pa55w0rd!");
  assert.equal(String(secret), PASSWORD_TEXT);
  assert.equal(`${secret}`, PASSWORD_TEXT);
  assert.equal(secret.toString(), PASSWORD_TEXT);
  assert.equal(inspect(secret), PASSWORD_TEXT);
  assert.deepEqual(JSON.parse(JSON.stringify(secret)), {
    id: secret.id,
    key: "DB_PASSWORD",
    value: "<redacted>",
    path: "/db",
    app: APP,
    env: DEV,
  });
  for (const text of renderings(secret)) {
    assert.ok(!text.includes("dev-Pa55w0rd!"), text);
  }
  assert.ok(
    captureConsole((console) => console.log(secret)).includes(
      "value=<redacted>",
    ),
  );
});

test("arrays and containers of secrets never show a value (all folders, e2ee, leased credentials)", async () => {
  const phase = ctx.client();
  const secrets = [
    ...(await phase.get({ app: APP, env: DEV })),
    ...(await phase.get({ app: APP, env: DEV, raw: true })),
    ...(await phase.get({ app: APP, env: DEV, lease: true })),
    ...(await phase.get({ app: E2EE_APP, env: DEV })),
  ];
  const leased = secrets.filter((s) => s.isDynamic && s.value);
  assert.equal(leased.length, 2, "leased credentials are part of the check");
  const containers = [
    secrets,
    new Map(secrets.map((s) => [`${s.path} ${s.key}`, s])),
    new Set(secrets),
    Object.fromEntries(secrets.map((s) => [s.key, s])),
    secrets.map((s) => [s]),
  ];
  const rendered = containers.flatMap(renderings).join("\n");
  const leaked = secrets
    .map((s) => s.value)
    .filter((value) => value.length >= 4 && rendered.includes(value));
  assert.deepEqual(leaked, []);
  assertNoLeak(ctx.server, rendered);
  assert.equal(String(secrets), secrets.map((s) => s.toString()).join(","));
  assert.ok(
    inspect(secrets, { maxArrayLength: Infinity }).split("value=<redacted>")
      .length > secrets.length,
  );
});

test("copies of a Secret carry no value: spread, Object.assign, entries, structuredClone", async () => {
  const secret = await ctx.client().getSecret({
    app: APP,
    env: DEV,
    key: "STRIPE_SECRET_KEY",
  });
  assert.deepEqual({ ...secret }, {});
  assert.deepEqual(Object.assign({}, secret), {});
  assert.deepEqual(Object.entries(secret), []);
  assert.deepEqual(Object.keys(secret), []);
  assert.ok(
    !JSON.stringify(structuredClone(secret)).includes("sk_test_51Interop"),
  );
  assert.equal(secret.value, "sk_test_51Interop");
});

test("an assertion message embedding a Secret hides its value", async () => {
  const secret = await ctx.client().getSecret({
    app: APP,
    env: DEV,
    key: "STRIPE_SECRET_KEY",
  });
  let failure;
  try {
    assert.deepEqual(secret, { key: "STRIPE_SECRET_KEY" });
  } catch (error) {
    failure = error;
  }
  assert.ok(failure instanceof assert.AssertionError);
  assert.ok(!failure.message.includes("sk_test_51Interop"), failure.message);
  try {
    assert.equal(secret, null);
  } catch (error) {
    failure = error;
  }
  assert.ok(!failure.message.includes("sk_test_51Interop"), failure.message);
});

test("a Secret is read-only and cannot be constructed from JavaScript", async () => {
  const secret = await ctx.client().getSecret({
    app: APP,
    env: DEV,
    key: "DB_HOST",
  });
  assert.throws(() => {
    secret.value = "changed";
  }, TypeError);
  assert.throws(() => {
    secret.key = "OTHER";
  }, TypeError);
  assert.throws(() => new Secret());
  assert.equal(secret.value, "db.dev.internal");
  assert.equal(secret.key, "DB_HOST");
  assert.ok(secret instanceof Secret);
});

test("a Secret cannot be forged, its tags are a copy, and its class inspects plainly", async () => {
  const [secret] = await ctx.client().get({
    app: APP,
    env: DEV,
    keys: ["DB_HOST"],
  });
  const row = ["id", "KEY", "forged value", "", "/", [], false];
  assert.throws(() => new Secret(row), TypeError);
  assert.throws(() => new Secret(row, Symbol("phasekit secret")), TypeError);
  secret.tags.push("added");
  assert.ok(!secret.tags.includes("added"));
  assert.match(inspect(Secret.prototype), /\{/);
  assert.throws(() => Secret.prototype.value, TypeError);
});

test("a Client renders as Client(host=...) and never shows its token", () => {
  const { server } = ctx;
  const token = server.tokens["sa-token"];
  const phase = new Client({ token, host: server.url });
  const expected = `Client(host="${server.url}")`;
  assert.equal(String(phase), expected);
  assert.equal(`${phase}`, expected);
  assert.equal(phase.host, server.url);
  const rendered = renderings(phase).join("\n");
  for (const part of tokenParts(token)) {
    assert.ok(!rendered.includes(part), "a token part leaked");
  }
  assert.ok(!rendered.includes(token));
  assert.deepEqual(Object.keys(phase), []);
});

test("apps and environments hold names and ids only", async () => {
  const { server } = ctx;
  const apps = await ctx.client().apps();
  const rendered = [
    inspect(apps, { depth: Infinity }),
    JSON.stringify(apps),
  ].join("\n");
  for (const app of apps) {
    assert.ok(rendered.includes(app.name) && rendered.includes(app.id));
  }
  assertNoLeak(server, rendered);
});
