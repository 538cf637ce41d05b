// Cloud identity login (Client.loginAwsIam, Client.loginAzure) against the local server, seeded
// with identities (test/identities.json): the server checks AWS signatures with the seeded
// secret keys in place of STS, and Entra ID tokens with the tenant's HS256 key. A login
// resolves to a client that reads secrets, refusals are the usual error classes, the minted
// token never reaches JavaScript, and no message carries a key, a session token or a JWT.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { test } from "node:test";

import {
  AuthenticationError,
  Client,
  InvalidInputError,
  PermissionDeniedError,
  ServerError,
} from "phasekit";

import { NODE_DIR, runNode, useServer } from "./support.mjs";

const ctx = useServer(join(NODE_DIR, "test/identities.json"));

const APP = "cloud-app";
const DEV = "Development";
const KEY = "CLOUD_DB_HOST";
const VALUE = "cloud-db.internal.example";
const AWS_LOGIN = "POST /public/identities/external/v1/aws/iam/auth/";
const AZURE_LOGIN = "POST /public/identities/external/v1/azure/entra/auth/";
const RESOURCE = "https://management.azure.com/";
const OTHER_OID = "9a0f2c3e-2222-4a5b-8c7d-000000000002";

/** The seeded AWS key pairs, by role. */
function aws(role) {
  const index = { web: 0, temporary: 1, admin: 2 }[role];
  const seeded = ctx.server.seed.aws_credentials[index];
  return {
    accessKeyId: seeded.access_key_id,
    secretAccessKey: seeded.secret_access_key,
    ...(seeded.session_token ? { sessionToken: seeded.session_token } : {}),
  };
}

const tenant = () => ctx.server.seed.azure_tenants[0];
const workload = () => tenant().workload_identities[0];

/** Every secret of the seed a message could leak, and the prefix of any minted token. */
function seededSecrets() {
  const { aws_credentials: keys } = ctx.server.seed;
  return [
    ...keys.flatMap((k) => [k.secret_access_key, k.session_token ?? []]).flat(),
    tenant().signing_key,
    workload().federated_token_key,
    "pss_service",
  ];
}

/** The options every login of the seeded service account shares. */
function account(extra = {}) {
  const { id } = ctx.server.state.accounts.find((a) => a.name === "deployer");
  return { serviceAccountId: id, host: ctx.server.url, ...extra };
}

function hs256(key, claims) {
  const part = (value) =>
    Buffer.from(JSON.stringify(value)).toString("base64url");
  const input = `${part({ alg: "HS256", typ: "JWT" })}.${part(claims)}`;
  return `${input}.${createHmac("sha256", key).update(input).digest("base64url")}`;
}

/** An Entra ID access token of the seeded tenant for the identity's resource, with `changes`. */
function entraJwt(key = tenant().signing_key, changes = {}) {
  const now = Math.floor(Date.now() / 1000);
  const oid = workload().object_id;
  return hs256(key, {
    aud: RESOURCE,
    iss: `https://sts.windows.net/${tenant().tenant_id}/`,
    iat: now - 10,
    nbf: now - 10,
    exp: now + 600,
    oid,
    sub: oid,
    tid: tenant().tenant_id,
    ver: "1.0",
    ...changes,
  });
}

async function readValue(client) {
  const secret = await client.getSecret({ key: KEY, app: APP, env: DEV });
  return secret.value;
}

async function loginCounts() {
  const { by_endpoint: counts } = await ctx.server.requests();
  return [counts[AWS_LOGIN] ?? 0, counts[AZURE_LOGIN] ?? 0];
}

/** The client shows its host, never the token it was built from. */
function assertNoToken(client) {
  const shown = [
    String(client),
    JSON.stringify(client),
    inspect(client, { showHidden: true, depth: Infinity }),
    Object.getOwnPropertyNames(client).join(),
  ].join("\n");
  assert.doesNotMatch(shown, /pss_service/);
}

test("an AWS login with explicit keys reads secrets as the service account", async () => {
  const client = await Client.loginAwsIam(
    account({ ...aws("web"), region: "us-east-1", ttl: 900, cacheTtl: 30 }),
  );
  assert.ok(client instanceof Client);
  assert.equal(client.host, ctx.server.url);
  assert.equal(await readValue(client), VALUE);
  assertNoToken(client);

  // Temporary keys sign their session token too.
  const temporary = await Client.loginAwsIam(account(aws("temporary")));
  assert.equal(await readValue(temporary), VALUE);
  assert.deepEqual(await loginCounts(), [2, 0]);
});

test("a wrong secret key is an AuthenticationError that names no secret", async () => {
  const wrong = "not-the-right-secret/Key+9xxxxxxxxxxxxxxxx";
  const error = await ctx.expectError(
    AuthenticationError,
    Client.loginAwsIam(account({ ...aws("web"), secretAccessKey: wrong })),
    wrong,
    ...seededSecrets(),
  );
  assert.equal(error.code, "unauthorized");
  assert.equal(error.status, 401);
  assert.match(error.message, /AWS STS validation failed/);

  // Temporary keys without their session token are refused the same way.
  const { sessionToken, ...withoutSession } = aws("temporary");
  assert.ok(sessionToken);
  await ctx.expectError(
    AuthenticationError,
    Client.loginAwsIam(account(withoutSession)),
    ...seededSecrets(),
  );
});

test("a principal the identity does not trust is a PermissionDeniedError", async () => {
  const error = await ctx.expectError(
    PermissionDeniedError,
    Client.loginAwsIam(account(aws("admin"))),
    ...seededSecrets(),
  );
  assert.equal(error.code, "forbidden");
  assert.equal(error.status, 403);
  assert.match(error.message, /Untrusted principal/);
});

test("the server's refusals of the region and the TTL are InvalidInputErrors", async () => {
  const region = await ctx.expectError(
    InvalidInputError,
    Client.loginAwsIam(account({ ...aws("web"), region: "eu-west-1" })),
    ...seededSecrets(),
  );
  assert.equal(region.status, 400);
  assert.match(region.message, /STS endpoint mismatch/);

  const ttl = await ctx.expectError(
    InvalidInputError,
    Client.loginAwsIam(account({ ...aws("web"), ttl: 7201 })),
    ...seededSecrets(),
  );
  assert.match(ttl.message, /Requested TTL \(7201s\) exceeds maximum/);
});

test("an Azure login with an Entra ID token reads secrets", async () => {
  const jwt = entraJwt();
  const client = await Client.loginAzure(account({ jwt, ttl: 600 }));
  assert.equal(await readValue(client), VALUE);
  assertNoToken(client);
  assert.deepEqual(await loginCounts(), [0, 1]);
});

test("forged or foreign Entra ID tokens are refused without being quoted", async () => {
  const cases = [
    [entraJwt("another-tenants-key"), AuthenticationError, 401],
    [
      entraJwt(undefined, { exp: Math.floor(Date.now() / 1000) - 5 }),
      AuthenticationError,
      401,
    ],
    [
      entraJwt(undefined, { aud: "https://vault.azure.net" }),
      AuthenticationError,
      401,
    ],
    [entraJwt(undefined, { oid: OTHER_OID }), PermissionDeniedError, 403],
  ];
  for (const [jwt, kind, status] of cases) {
    const signature = jwt.split(".")[2];
    const error = await ctx.expectError(
      kind,
      Client.loginAzure(account({ jwt })),
      jwt,
      signature,
      ...seededSecrets(),
    );
    assert.equal(error.status, status, error.message);
  }
  // Not a JWT at all: refused before any request.
  await ctx.server.resetRequests();
  await ctx.expectError(
    InvalidInputError,
    Client.loginAzure(account({ jwt: "definitely-not-a-jwt" })),
    "definitely-not-a-jwt",
  );
  assert.deepEqual(await loginCounts(), [0, 0]);
});

test("bad arguments reject with InvalidInputError, in JavaScript names, before any request", async () => {
  const keys = aws("web");
  const cases = [
    [() => Client.loginAwsIam(), /loginAwsIam options: expected an object/],
    [
      () => Client.loginAzure("deployer"),
      /loginAzure options: expected an object/,
    ],
    [
      () => Client.loginAwsIam({ host: ctx.server.url }),
      /serviceAccountId is required/,
    ],
    [
      () => Client.loginAwsIam({ serviceAccountId: 5 }),
      /serviceAccountId must be a string/,
    ],
    [
      () =>
        Client.loginAwsIam(account({ serviceAccountId: "deployer", ...keys })),
      /serviceAccountId must be the service account's UUID/,
    ],
    // The minted token is the client's: one given would be silently replaced.
    [
      () => Client.loginAwsIam(account({ ...keys, token: "pss_service:v2:x" })),
      /unknown field token/,
    ],
    [
      () => Client.loginAwsIam(account({ ...keys, jwt: entraJwt() })),
      /unknown field jwt/,
    ],
    [
      () =>
        Client.loginAzure(account({ jwt: entraJwt(), region: "us-east-1" })),
      /unknown field region/,
    ],
    [
      () => Client.loginAwsIam(account({ accessKeyId: keys.accessKeyId })),
      /accessKeyId and secretAccessKey go together: give both or neither/,
    ],
    [
      () =>
        Client.loginAwsIam(account({ secretAccessKey: keys.secretAccessKey })),
      /accessKeyId and secretAccessKey go together: give both or neither/,
    ],
    [
      () =>
        Client.loginAwsIam(account({ sessionToken: "FQoGZXIvYXdzE-alone" })),
      /sessionToken needs accessKeyId and secretAccessKey/,
    ],
    [
      () =>
        Client.loginAwsIam(
          account({ accessKeyId: "AKIA EXAMPLE", secretAccessKey: "x" }),
        ),
      /access key id .* must be letters and digits/,
    ],
    [
      () => Client.loginAwsIam(account({ ...keys, ttl: 0 })),
      /ttl must be a whole number of seconds/,
    ],
    [
      () => Client.loginAwsIam(account({ ...keys, ttl: 1.5 })),
      /ttl must be a whole number/,
    ],
    [
      () => Client.loginAzure(account({ jwt: entraJwt(), ttl: -60 })),
      /ttl must be a whole number/,
    ],
    [
      () => Client.loginAwsIam(account({ ...keys, connectTimeout: -1 })),
      /connectTimeout must be/,
    ],
    [
      () =>
        Client.loginAzure(account({ jwt: entraJwt(), cacheStaleIfError: 60 })),
      /cacheStaleIfError needs cacheTtl/,
    ],
    [
      () => Client.loginAwsIam(account({ ...keys, host: "phase.example.com" })),
      /host must be/,
    ],
  ];
  // Each call is made only when it is awaited: a rejection nobody handles yet would end the
  // process as unhandled.
  for (const [call, message] of cases) {
    const promise = call();
    assert.ok(promise instanceof Promise, "bad arguments reject, never throw");
    const error = await ctx.expectError(
      InvalidInputError,
      promise,
      ...seededSecrets(),
    );
    assert.match(error.message, message);
  }
  assert.equal((await ctx.server.requests()).total, 0);
});

test("a failed login is not retried (each attempt would mint a token)", async () => {
  await ctx.server.faults({ fail_next: 1, fail_status: 503 });
  await ctx.expectError(
    ServerError,
    Client.loginAwsIam(account(aws("web"))),
    ...seededSecrets(),
  );
  assert.deepEqual(await loginCounts(), [1, 0]);
});

test("logins run off the event loop, concurrently", async () => {
  await ctx.server.faults({
    latency_ms: 300,
    path_prefix: "/public/identities/",
  });
  let ticks = 0;
  const ticker = setInterval(() => ticks++, 10);
  const started = Date.now();
  try {
    const clients = await Promise.all([
      Client.loginAwsIam(account(aws("web"))),
      Client.loginAwsIam(account(aws("temporary"))),
      Client.loginAzure(account({ jwt: entraJwt() })),
    ]);
    assert.equal(clients.length, 3);
  } finally {
    clearInterval(ticker);
  }
  const elapsed = Date.now() - started;
  assert.ok(elapsed < 800, `three 300 ms logins took ${elapsed} ms`);
  assert.ok(ticks >= 10, `the event loop ticked only ${ticks} times`);
});

test("credentials, host and workload identity default to the environment", async () => {
  const dir = mkdtempSync(join(tmpdir(), "phasekit-login-"));
  try {
    const now = Math.floor(Date.now() / 1000);
    const tokenFile = join(dir, "azure-identity-token");
    writeFileSync(
      tokenFile,
      hs256(workload().federated_token_key, {
        iss: "https://oidc.example/cluster",
        sub: "system:serviceaccount:shop:api",
        aud: ["api://AzureADTokenExchange"],
        iat: now,
        exp: now + 600,
      }),
    );
    const { serviceAccountId } = account();
    const { accessKeyId, secretAccessKey } = aws("web");
    const result = await runNode(
      `import { Client } from "phasekit";
       const id = process.env.ACCOUNT_ID;
       for (const login of [Client.loginAwsIam, Client.loginAzure]) {
         const client = await login({ serviceAccountId: id });
         const secret = await client.getSecret({ key: "${KEY}", app: "${APP}", env: "${DEV}" });
         console.log(client.host, secret.value);
       }`,
      {
        ACCOUNT_ID: serviceAccountId,
        PHASE_HOST: ctx.server.url,
        HOME: dir,
        AWS_ACCESS_KEY_ID: accessKeyId,
        AWS_SECRET_ACCESS_KEY: secretAccessKey,
        AWS_REGION: "us-east-1",
        AZURE_FEDERATED_TOKEN_FILE: tokenFile,
        AZURE_CLIENT_ID: workload().client_id,
        AZURE_TENANT_ID: tenant().tenant_id,
        AZURE_AUTHORITY_HOST: `${ctx.server.url}/_entra/`,
      },
    );
    assert.equal(result.code, 0, result.stderr);
    const line = `${ctx.server.url} ${VALUE}`;
    assert.deepEqual(result.stdout.trim().split("\n"), [line, line]);
    assert.deepEqual(await loginCounts(), [1, 1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the login options offer every client option but the token", () => {
  // napi-rs objects cannot embed one another, so the fields are repeated in Rust: this keeps
  // the copies in step with ClientOptions.
  const declarations = readFileSync(join(NODE_DIR, "index.d.ts"), "utf8");
  const fields = (name) => {
    const body = declarations.match(
      new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`),
    )?.[1];
    assert.ok(body, `interface ${name} not found`);
    return [...body.matchAll(/^ {2}(\w+)\??:/gm)].map((m) => m[1]);
  };
  const client = fields("ClientOptions").filter((f) => f !== "token");
  for (const login of ["AwsIamLoginOptions", "AzureLoginOptions"]) {
    const own = fields(login);
    assert.deepEqual(own.slice(-client.length), client, login);
    assert.ok(!own.includes("token"), login);
  }
});
