// Quickstart: fetch and decrypt the secrets of one environment.
//
//   PHASE_SERVICE_TOKEN=pss_service:v2:... PHASE_HOST=https://console.phase.dev \
//     node examples/node/quickstart.mjs demo-app Development
import { Client, PhaseError } from "phasekit";

const [app = "demo-app", env = "Development"] = process.argv.slice(2);

try {
  const client = Client.fromEnv();
  const secrets = await client.get({ app, env });
  console.log(`${secrets.length} secrets in ${app}/${env}:`);
  for (const secret of secrets) {
    const folder = secret.path === "/" ? "" : `${secret.path}/`;
    console.log(`  ${folder}${secret.key} = ${secret.value}`);
  }
} catch (error) {
  if (!(error instanceof PhaseError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
