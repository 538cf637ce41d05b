// TLS through an HTTPS front with a test CA's certificate: TlsError, caBundle, verifySsl.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { Client, NetworkError, TlsError } from "phasekit";

import { APP, DEV, assertErrorFields, runNode, useServer } from "./support.mjs";

const ctx = useServer();

function hasOpenssl() {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}
const skip = hasOpenssl()
  ? false
  : "openssl is needed to make the test certificates";

let dir;
let proxy;
let httpsUrl;
let caPath;

/** A CA and a certificate for 127.0.0.1 signed by it, made with openssl into `dir`. */
function makeCertificates() {
  const openssl = (command) =>
    execFileSync("openssl", command.split(" "), { cwd: dir, stdio: "pipe" });
  const key = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
  openssl(
    `req -x509 ${key} -keyout ca-key.pem -out ca.pem -days 2 -subj /CN=test-CA`,
  );
  openssl(`req ${key} -keyout key.pem -out leaf.csr -subj /CN=127.0.0.1`);
  writeFileSync(
    join(dir, "leaf.ext"),
    [
      "subjectAltName=IP:127.0.0.1,DNS:localhost",
      "basicConstraints=CA:FALSE",
      "extendedKeyUsage=serverAuth",
    ].join("\n"),
  );
  openssl(
    "x509 -req -in leaf.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial " +
      "-out cert.pem -days 2 -extfile leaf.ext",
  );
}

before(async () => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), "phasekit-tls-"));
  makeCertificates();
  caPath = join(dir, "ca.pem");
  // Forwards every request to the plain-HTTP server, whatever its current URL.
  proxy = createServer(
    {
      key: readFileSync(join(dir, "key.pem")),
      cert: readFileSync(join(dir, "cert.pem")),
    },
    async (request, response) => {
      const chunks = [];
      for await (const chunk of request) chunks.push(chunk);
      const headers = { ...request.headers };
      for (const name of ["host", "connection", "content-length"])
        delete headers[name];
      const upstream = await fetch(`${ctx.server.url}${request.url}`, {
        method: request.method,
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      });
      const body = Buffer.from(await upstream.arrayBuffer());
      const out = Object.fromEntries(upstream.headers);
      for (const name of [
        "connection",
        "transfer-encoding",
        "content-encoding",
        "content-length",
      ]) {
        delete out[name];
      }
      response.writeHead(upstream.status, out);
      response.end(body);
    },
  );
  await new Promise((done) => proxy.listen(0, "127.0.0.1", done));
  httpsUrl = `https://127.0.0.1:${proxy.address().port}`;
});

after(async () => {
  if (proxy) await new Promise((done) => proxy.close(done));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const options = () => ({
  token: ctx.server.tokens["sa-token"],
  host: httpsUrl,
  maxRetries: 0,
});

test(
  "a certificate from an unknown CA is a TlsError, a NetworkError, not retryable",
  { skip },
  async () => {
    const error = await ctx.expectError(
      TlsError,
      new Client(options()).get({ app: APP, env: DEV }),
    );
    assert.ok(error instanceof NetworkError);
    assertErrorFields(error, "tls", null, false);
    assert.deepEqual(await ctx.requests(), {}, "nothing reached the server");
  },
);

test("caBundle trusts the test CA", { skip }, async () => {
  const phase = new Client({ ...options(), caBundle: caPath });
  const secret = await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.equal(secret.value, "db.dev.internal");
  assert.equal(phase.host, httpsUrl);
});

test("verifySsl: false accepts the certificate", { skip }, async () => {
  const phase = new Client({ ...options(), verifySsl: false });
  const secret = await phase.getSecret({ app: APP, env: DEV, key: "DB_HOST" });
  assert.equal(secret.value, "db.dev.internal");
});

test(
  "PHASE_VERIFY_SSL=false turns verification off for Client.fromEnv()",
  { skip },
  async () => {
    const source = `
    import { Client } from "phasekit";
    const secret = await Client.fromEnv().getSecret({ app: "${APP}", env: "${DEV}", key: "DB_HOST" });
    console.log(secret.value);
  `;
    const env = {
      PHASE_SERVICE_TOKEN: ctx.server.tokens["sa-token"],
      PHASE_HOST: httpsUrl,
    };
    const verified = await runNode(source, env);
    assert.notEqual(verified.code, 0);
    assert.match(verified.stderr, /TlsError/);
    const unverified = await runNode(source, {
      ...env,
      PHASE_VERIFY_SSL: "false",
    });
    assert.equal(unverified.code, 0, unverified.stderr);
    assert.equal(unverified.stdout.trim(), "db.dev.internal");
  },
);

test("https:// to a plain-HTTP port fails the handshake: a TlsError (a NetworkError) with code tls", async () => {
  const { server } = ctx;
  const phase = new Client({
    token: server.tokens["sa-token"],
    host: server.url.replace("http://", "https://"),
    maxRetries: 0,
  });
  const error = await ctx.expectError(
    TlsError,
    phase.get({ app: APP, env: DEV }),
  );
  assert.ok(error instanceof NetworkError);
  assert.deepEqual([error.code, error.retryable], ["tls", false]);
  assert.match(error.message, /is the host an http:\/\/ address\?/);
});
