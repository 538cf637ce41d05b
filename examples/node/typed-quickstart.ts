// The quickstart in TypeScript, checked with `tsc --noEmit --strict` by the Node suite: every
// type below comes from phasekit's generated index.d.ts.
import {
  Client,
  NotFoundError,
  PhaseError,
  RateLimitError,
  type AwsIamLoginOptions,
  type ClientStats,
  type ErrorCode,
  type GetOptions,
  type Secret,
  type Watch,
} from "phasekit";

async function readEnvironment(
  client: Client,
  options: GetOptions,
): Promise<Map<string, string>> {
  const secrets: Secret[] = await client.get(options);
  return new Map(secrets.map((secret) => [secret.key, secret.value]));
}

async function apiKey(
  client: Client,
  app: string,
): Promise<string | undefined> {
  try {
    const secret = await client.getSecret({
      key: "API_KEY",
      app,
      env: "Production",
    });
    return secret.value;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    if (error instanceof RateLimitError && error.retryAfter !== null) {
      await new Promise((wait) => setTimeout(wait, error.retryAfter! * 1000));
      return apiKey(client, app);
    }
    throw error;
  }
}

/** Reports rotations under /db until `close()`; the callback gets an error or a change. */
function watchDatabase(client: Client, app: string): Watch {
  return client.watch(
    { app, env: "Production", path: "/db", interval: 30 },
    (error, change) => {
      if (error) {
        console.error(
          `watch: ${error.code}${error.retryable ? " (retrying)" : ""}`,
        );
        return;
      }
      console.log(`rotated: ${change.changed.join(", ") || "nothing"}`);
    },
  );
}

/**
 * With PHASE_SERVICE_ACCOUNT_ID set, no Phase token is stored with the workload: its AWS IAM
 * identity (keys from the environment or ~/.aws) or Azure workload identity is traded for a
 * short-lived token, which stays inside the client.
 */
async function connect(): Promise<Client> {
  const settings = { timeout: 10, maxRetries: 2, cacheTtl: 60 };
  const serviceAccountId = process.env.PHASE_SERVICE_ACCOUNT_ID;
  if (!serviceAccountId) return new Client(settings);
  if (process.env.AZURE_FEDERATED_TOKEN_FILE) {
    return Client.loginAzure({ serviceAccountId, ttl: 3600, ...settings });
  }
  const aws: AwsIamLoginOptions = { serviceAccountId, ttl: 3600, ...settings };
  return Client.loginAwsIam(aws);
}

async function main(): Promise<number> {
  const [app = "demo-app", env = "Development"] = process.argv.slice(2);
  const client = await connect();
  try {
    const values = await readEnvironment(client, { app, env, path: "/" });
    const { source } = await client.getResult({ app, env });
    const origin: "network" | "memory" | "stale" | "offline" = source;
    const stats: ClientStats = client.stats();
    console.log(`read from ${origin}; ${stats.requests} requests`);
    for (const [key, value] of values) console.log(`${key} = ${value}`);
    const key = await apiKey(client, app);
    console.log(
      key === undefined ? "no API_KEY in Production" : "API_KEY is set",
    );
    const dotenv: string = await client.export({ app, env, format: "dotenv" });
    console.log(`${dotenv.split("\n").length} dotenv lines`);
    if (process.env.WATCH_ROTATIONS) {
      // Keeps the process alive until Ctrl-C closes the watch.
      const watch = watchDatabase(client, app);
      process.once("SIGINT", () => watch.close());
    }
    return 0;
  } catch (error) {
    if (error instanceof PhaseError) {
      const code: ErrorCode = error.code;
      console.error(code, error.status, error.retryable, error.message);
      return 1;
    }
    throw error;
  } finally {
    await client.close();
  }
}

process.exitCode = await main();
