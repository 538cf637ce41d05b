// TypeScript: the typed quickstart compiles with `tsc --strict` against the generated
// index.d.ts, misuse does not, and the public declarations contain no `any`.

import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { before, test } from "node:test";
import { fileURLToPath } from "node:url";

const nodeDir = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const examples = resolve(nodeDir, "../examples/node");
const tsc = join(nodeDir, "node_modules/.bin/tsc");

before(() => {
  // examples/node depends on this package through a file: link.
  if (!existsSync(join(examples, "node_modules/phasekit/package.json"))) {
    execFileSync(
      "npm",
      ["install", "--no-audit", "--no-fund", "--loglevel=error"],
      {
        cwd: examples,
        stdio: "ignore",
      },
    );
  }
});

test("the typed quickstart passes tsc --noEmit --strict", () => {
  const result = spawnSync(tsc, ["-p", examples], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stdout + result.stderr);
});

test("misusing the API is a compile error", () => {
  const dir = mkdtempSync(join(examples, ".typecheck-"));
  try {
    writeFileSync(
      join(dir, "misuse.ts"),
      [
        'import { Client, PhaseError } from "phasekit";',
        "const client = new Client({ timeout: '10' });",
        "await client.get({ app: 1, env: 'Development' });",
        "await client.get({ app: 'a' });",
        "const error = new Error() as PhaseError;",
        "const code: 'not_a_code' = error.code;",
        "const value: number = (await client.getSecret({ key: 'K', app: 'a', env: 'e' })).value;",
        "await Client.loginAwsIam({ serviceAccountId: 'id', jwt: 'a.b.c' });",
        "const minted: string = (await Client.loginAzure({ serviceAccountId: 'id' })).token;",
        "export { code, value, minted };",
      ].join("\n"),
    );
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        extends: "../tsconfig.json",
        files: ["misuse.ts"],
      }),
    );
    const result = spawnSync(tsc, ["-p", dir], { encoding: "utf8" });
    assert.notEqual(result.status, 0);
    const errors = result.stdout.match(/error TS\d+/g) ?? [];
    assert.equal(errors.length, 7, result.stdout);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the public declarations never use any", () => {
  const declarations = readFileSync(join(nodeDir, "index.d.ts"), "utf8");
  const code = declarations
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
  assert.doesNotMatch(code, /\bany\b/);
  for (const name of [
    "Client",
    "Secret",
    "PhaseError",
    "ERROR_CODES",
    "ErrorCode",
    "AwsIamLoginOptions",
    "AzureLoginOptions",
  ]) {
    assert.match(
      declarations,
      new RegExp(`export (declare )?(class|const|type|interface) ${name}\\b`),
    );
  }
});
