// Packaging: ESM and CommonJS give the same objects; index.d.ts declares exactly what runs.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";

import * as esm from "phasekit";
import phasekitDefault from "phasekit";

import { NODE_DIR, runNode } from "./support.mjs";

const require = createRequire(import.meta.url);
const cjs = require("phasekit");
const declarations = readFileSync(join(NODE_DIR, "index.d.ts"), "utf8");

const runtimeNames = Object.keys(cjs).filter(
  (name) => name !== "__napiBindingTarget",
);

test("import and require give the same objects", () => {
  const named = Object.keys(esm)
    .filter((name) => name !== "default")
    .sort();
  assert.deepEqual(named, [...runtimeNames].sort());
  for (const name of named) {
    assert.equal(esm[name], cjs[name], name);
  }
  assert.equal(phasekitDefault, cjs);
  assert.equal(cjs.__napiBindingTarget, "native");
  assert.equal(require.resolve("phasekit"), join(NODE_DIR, "index.js"));
  assert.equal(
    import.meta.resolve("phasekit"),
    `file://${join(NODE_DIR, "index.mjs")}`,
  );
});

test("a CommonJS program requires phasekit by name and sees the same exports", async () => {
  const { code, stdout, stderr } = await runNode(
    `
      const phasekit = require("phasekit");
      const { Client, NotFoundError, PhaseError } = phasekit;
      console.log(JSON.stringify({
        keys: Object.keys(phasekit),
        hierarchy: NotFoundError.prototype instanceof PhaseError,
        client: typeof Client.fromEnv,
      }));
    `,
    {},
    { type: "commonjs" },
  );
  assert.equal(code, 0, stderr);
  const report = JSON.parse(stdout);
  assert.deepEqual(report.keys.sort(), Object.keys(cjs).sort());
  assert.equal(report.hierarchy, true);
  assert.equal(report.client, "function");
});

test("an ES module program imports every named export", async () => {
  const names = Object.keys(esm).filter((name) => name !== "default");
  const { code, stdout, stderr } = await runNode(
    `
      import { ${names.join(", ")} } from "phasekit";
      console.log(JSON.stringify([${names.map((name) => `typeof ${name}`).join(", ")}]));
    `,
  );
  assert.equal(code, 0, stderr);
  assert.deepEqual(
    JSON.parse(stdout),
    names.map((name) => typeof esm[name]),
  );
});

test("index.d.ts never uses any", () => {
  const code = declarations
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/\/\/.*$/gm, "");
  assert.doesNotMatch(code, /\bany\b/);
});

test("index.d.ts declares every runtime export, and nothing that does not exist", () => {
  const declared = [
    ...declarations.matchAll(
      /^export declare (?:class|const|function) (\w+)/gm,
    ),
  ].map((match) => match[1]);
  assert.deepEqual([...declared].sort(), Object.keys(cjs).sort());
  for (const name of Object.keys(cjs)) {
    // Functions are classes, but for the one plain function, runCli (the `phasekit` bin).
    const kind =
      typeof cjs[name] !== "function"
        ? "const"
        : /^[A-Z]/.test(name)
          ? "class"
          : "function";
    assert.match(
      declarations,
      new RegExp(`^export declare ${kind} ${name}\\b`, "m"),
      name,
    );
  }
});

test("index.d.ts declares every Client and Secret member that runs", () => {
  const body = (name) => {
    const start = declarations.indexOf(`export declare class ${name} {`);
    assert.ok(start >= 0, name);
    return declarations.slice(start, declarations.indexOf("\n}\n", start));
  };
  // Instance members and static methods (factories such as fromEnv and the logins) apart.
  const members = (text, statics = false) =>
    [...text.matchAll(/^ {2}(static )?(?:get )?(\w+)\(/gm)]
      .filter((match) => Boolean(match[1]) === statics)
      .map((match) => match[2])
      .filter((name) => name !== "constructor");
  const ownMembers = (cls) =>
    Object.getOwnPropertyNames(cls.prototype).filter(
      (name) => name !== "constructor",
    );
  const ownStatics = (cls) =>
    Object.getOwnPropertyNames(cls).filter(
      (name) => typeof cls[name] === "function",
    );
  for (const name of ["Client", "Secret"]) {
    const cls = cjs[name];
    assert.deepEqual(members(body(name)).sort(), ownMembers(cls).sort(), name);
    assert.deepEqual(
      members(body(name), true).sort(),
      ownStatics(cls).sort(),
      name,
    );
  }
  assert.ok(
    ["fromEnv", "loginAwsIam", "loginAzure"].every((name) =>
      members(body("Client"), true).includes(name),
    ),
  );
});

test("the ErrorCode type lists ERROR_CODES in order", () => {
  const union = declarations.match(/export type ErrorCode =([\s\S]*?)\n\n/)[1];
  const codes = [...union.matchAll(/'(\w+)'/g)].map((match) => match[1]);
  assert.deepEqual(codes, [...esm.ERROR_CODES]);
});
