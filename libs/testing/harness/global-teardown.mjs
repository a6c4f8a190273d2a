// Stops what global-setup started (nothing when KAFKA_BROKERS / DATABASE_URL were given).
export default async function globalTeardown() {
  const started = globalThis.__authtrailInfra ?? {};
  await Promise.all([started.kafka?.destroy(), started.postgres?.stop()]);
}
