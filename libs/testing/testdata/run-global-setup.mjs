// Plays the jest main process of one test run for leftover-reaping.int.spec.ts: runs the real
// global setup (which first reaps what dead runs left, then starts or checks Kafka and
// PostgreSQL), prints what it started as one JSON line, then either stays alive as a run in
// progress (`hold`, until killed) or exits at once without any teardown (`exit`).
import globalSetup from '../harness/global-setup.mjs';

const mode = process.argv[2];
await globalSetup();
const { kafka, postgres } = globalThis.__authtrailInfra;
const started = {
  kafka: kafka && { pid: kafka.pid, brokers: kafka.brokers, port: kafka.port, controllerPort: kafka.controllerPort, dataDir: kafka.dataDir },
  postgres: postgres && { url: postgres.url, dataDir: postgres.dataDir },
};
process.stdout.write(`${JSON.stringify({ started })}\n`);
if (mode === 'hold') setInterval(() => undefined, 60_000);
else process.exit(0);
