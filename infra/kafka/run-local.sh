#!/usr/bin/env bash
# Starts the test broker by hand (Apache Kafka from Maven Central, KRaft, single node) so that
# services can run against it: KAFKA_BROKERS=127.0.0.1:9092 npm start -- --config ...
# Usage: infra/kafka/run-local.sh [port]   (default 9092; data under .authtrail/kafka)
set -euo pipefail
cd "$(dirname "$0")/../.."
port="${1:-9092}"
exec node -e '
const { startKafkaBroker } = require("./infra/kafka/broker.js");
const port = Number(process.argv[1]);
startKafkaBroker({ dataDir: ".authtrail/kafka", port, controllerPort: port + 1 }).then((broker) => {
  console.log(`KAFKA_BROKERS=${broker.brokers}  (Ctrl-C stops it; data kept in ${broker.dataDir})`);
  const stop = () => broker.stop().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}, (error) => { console.error(error.message); process.exit(1); });
' "$port"
