// The same as node_user.mjs through CommonJS `require`.
const assert = require("node:assert/strict");
const { Client, AuthenticationError } = require("phasekit");

(async () => {
  const client = Client.fromEnv();
  const secrets = await client.get({ app: "demo-app", env: "Production" });
  assert.deepEqual(secrets.map((s) => s.key).sort(), ["API_KEY", "DB_HOST"]);
  assert.throws(
    () => new Client({ token: "not-a-token", host: process.env.PHASE_HOST }),
    (error) => error instanceof AuthenticationError && error.code === "invalid_token",
  );
  console.log("node_user.cjs: ok");
})().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
