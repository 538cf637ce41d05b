// What a user of the installed phasekit npm package does, as an ES module, in a fresh project
// outside the repository, against the local server (PHASE_HOST, PHASE_SERVICE_TOKEN). Run by
// tests/packages/check-node.sh.
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { realpathSync } from "node:fs";

import { Client, NotFoundError, PhaseError } from "phasekit";

const resolved = realpathSync(createRequire(import.meta.url).resolve("phasekit"));
assert.ok(
  resolved.startsWith(realpathSync(process.cwd())),
  `phasekit resolved outside the project: ${resolved}`,
);

const client = Client.fromEnv();
const secrets = Object.fromEntries(
  (await client.get({ app: "demo-app", env: "Development" })).map((s) => [s.key, s]),
);
assert.deepEqual(
  Object.keys(secrets).sort(),
  ["API_KEY", "DATABASE_URL", "DB_HOST", "DB_PASSWORD", "DB_PORT"],
);
assert.equal(
  secrets.DATABASE_URL.value,
  "postgres://app:dev-password@localhost:5432/app",
);
assert.ok(!String(secrets.DB_PASSWORD).includes("dev-password"));
await assert.rejects(client.get({ app: "no-such-app", env: "Development" }), (error) => {
  assert.ok(error instanceof NotFoundError && error instanceof PhaseError);
  assert.equal(error.code, "app_not_found");
  return true;
});
console.log(`node_user.mjs: ok (phasekit from ${resolved})`);
