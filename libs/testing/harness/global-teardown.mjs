// Stops what global-setup started (nothing when KAFKA_BROKERS / DATABASE_URL were given), and
// what a jest worker of this run started and could not stop because it died.
import processRegistry from './process-registry.js';

export default async function globalTeardown() {
  const started = globalThis.__authtrailInfra ?? {};
  await Promise.all([started.kafka?.destroy(), started.postgres?.stop()]);
  await processRegistry.reapLeftovers({ log: (line) => process.stdout.write(`${line}\n`) });
}
