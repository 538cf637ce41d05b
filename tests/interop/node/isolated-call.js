// Child-process side of runSdkCallInChild (harness.js): one SDK call, observed from outside.
// Usage: node isolated-call.js '{"token", "host", "method", "options", "settleMs"}'

import Phase from "@phase.dev/phase-node";

const { token, host, method, options, settleMs } = JSON.parse(process.argv[2]);

const report = { init: "pending", settled: "pending", unhandled: [], logs: [] };
const text = (reason) => String(reason?.message ?? reason);

for (const level of ["log", "info", "warn", "error"]) {
  console[level] = (...args) => report.logs.push(args.map(String).join(" "));
}
process.on("unhandledRejection", (reason) =>
  report.unhandled.push(text(reason)),
);

const finish = () => {
  process.stdout.write(JSON.stringify(report));
  process.exit(0);
};

try {
  const phase = new Phase(token, host);
  await phase.init();
  report.init = "ok";
  setTimeout(finish, settleMs);
  phase[method](options).then(
    (value) => {
      report.settled = "resolved";
      report.value = value ?? null;
    },
    (error) => {
      report.settled = "rejected";
      report.error = text(error);
    },
  );
} catch (error) {
  report.init = `failed: ${text(error)}`;
  finish();
}
