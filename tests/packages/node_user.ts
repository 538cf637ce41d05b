// Type-checked with `tsc --strict` against the installed package's index.d.ts: the types a
// TypeScript user sees.
import {
  Client,
  PhaseError,
  type ErrorCode,
  type GetOptions,
  type Secret,
} from "phasekit";

export async function read(options: GetOptions): Promise<Map<string, string>> {
  const client: Client = Client.fromEnv();
  try {
    const secrets: Secret[] = await client.get(options);
    return new Map(secrets.map((secret) => [secret.key, secret.value]));
  } catch (error) {
    if (error instanceof PhaseError) {
      const code: ErrorCode = error.code;
      throw new Error(`phase: ${code}`);
    }
    throw error;
  }
}
