// A single-node Apache Kafka broker (KRaft, combined broker + controller) run from the Maven
// Central jars with the machine's Java. Used by the jest harness, by tests that need a broker
// of their own (to stop and restart it), by run-local.sh and by the benchmarks.
// Plain CommonJS so that ESM (jest globalSetup), CommonJS tests and scripts can all load it.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { Kafka, logLevel } = require('kafkajs');
const { freePort, freePorts } = require('../../libs/testing/harness/free-ports.js');
const { registerProcess } = require('../../libs/testing/harness/process-registry.js');

const here = __dirname;
const pom = path.join(here, 'pom.xml');
const KAFKA_VERSION = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(fs.readFileSync(pom, 'utf8'))[1];
const jarsDir = path.join(here, '.cache', KAFKA_VERSION, 'libs');

/** Fetches the broker jars with Maven once; later calls find them in the git-ignored cache. */
function ensureKafkaJars(log = console.log) {
  const present = fs.existsSync(jarsDir) && fs.readdirSync(jarsDir).some((f) => f.startsWith('kafka_2.13-'));
  if (present) return jarsDir;
  log(`[kafka] fetching Apache Kafka ${KAFKA_VERSION} jars from Maven Central into ${jarsDir}`);
  const mvn = spawnSync(
    'mvn',
    ['-q', '-B', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${jarsDir}`],
    { stdio: 'inherit' },
  );
  if (mvn.status !== 0) throw new Error(`[kafka] mvn could not fetch the Kafka ${KAFKA_VERSION} jars (exit ${mvn.status})`);
  return jarsDir;
}

function brokerProperties({ port, controllerPort, logDir }) {
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@127.0.0.1:${controllerPort}`,
    `listeners=PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    `advertised.listeners=PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    `log.dirs=${logDir}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'log.retention.hours=-1',
  ].join('\n');
}

function java(args, opts) {
  const javaBin = process.env.JAVA_HOME ? path.join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const jvm = ['-Xms256m', '-Xmx768m', '-XX:+UseG1GC', '-Djava.awt.headless=true', `-Dlog4j.configuration=file:${path.join(here, 'log4j.properties')}`];
  return spawn(javaBin, [...jvm, '-cp', `${jarsDir}/*`, ...args], opts);
}

function runToEnd(child, what) {
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(output) : reject(new Error(`[kafka] ${what} failed (exit ${code}): ${output}`))));
  });
}

/**
 * Resolves once the broker at `brokers` answers a metadata request; rejects with the address
 * that was tried when it does not within `timeoutMs`. Never a silent skip.
 */
async function waitForKafka(brokers, { timeoutMs = 60_000 } = {}) {
  const list = Array.isArray(brokers) ? brokers : String(brokers).split(',');
  const deadline = Date.now() + timeoutMs;
  let lastError;
  while (Date.now() < deadline) {
    const admin = new Kafka({
      clientId: 'authtrail-harness',
      brokers: list,
      logLevel: logLevel.NOTHING,
      connectionTimeout: 1000,
      retry: { retries: 0 },
    }).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (error) {
      lastError = error;
      await new Promise((r) => setTimeout(r, 250));
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
  throw new Error(`Kafka not reachable at ${list.join(',')} within ${timeoutMs} ms: ${lastError && lastError.message}`);
}

/**
 * Starts a broker with its log directory under `dataDir` (formatted on first use, so a stopped
 * broker restarted on the same dir and ports keeps its topics). Returns once it serves metadata.
 */
async function startKafkaBroker({ dataDir, port, controllerPort, log = console.log, timeoutMs = 90_000 } = {}) {
  ensureKafkaJars(log);
  const dir = dataDir || fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'authtrail-kafka-'));
  if (!port || !controllerPort) {
    // One request for both (two separate picks once gave both listeners the same port), plus a
    // spare in case a pick is the port the caller gave.
    const picked = (await freePorts(3)).filter((p) => p !== port && p !== controllerPort);
    port = port || picked.shift();
    controllerPort = controllerPort || picked.shift();
  }
  const logDir = path.join(dir, 'logs');
  const propsFile = path.join(dir, 'server.properties');
  fs.mkdirSync(logDir, { recursive: true });
  fs.writeFileSync(propsFile, brokerProperties({ port, controllerPort, logDir }));

  if (!fs.existsSync(path.join(logDir, 'meta.properties'))) {
    // base64url may start with '-', which the storage tool would read as an option.
    const clusterId = crypto.randomBytes(16).toString('base64url').replace(/^-/, 'A');
    await runToEnd(java(['kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', propsFile], {}), 'storage format');
  }

  const started = Date.now();
  const child = java(['kafka.Kafka', propsFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  const brokers = `127.0.0.1:${port}`;
  // Recorded so that the next test run stops it should this process die without stopping it.
  const registration = child.pid
    ? registerProcess({ kind: 'kafka', label: `Kafka broker at ${brokers}`, pid: child.pid, ...(dataDir ? {} : { removeDir: dir }) })
    : { unregister: () => undefined };
  let output = '';
  const keep = (d) => (output = (output + d).slice(-20_000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      registration.unregister();
      resolve({ code, signal });
    }),
  );

  try {
    await Promise.race([
      waitForKafka(brokers, { timeoutMs }),
      exited.then(({ code }) => {
        throw new Error(`[kafka] broker exited with code ${code} before serving: ${output}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  log(`[kafka] Apache Kafka ${KAFKA_VERSION} (KRaft) serving at ${brokers} after ${Date.now() - started} ms (pid ${child.pid}, data ${dir})`);

  async function stop({ timeoutMs: stopTimeout = 30_000 } = {}) {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), stopTimeout);
    await exited;
    clearTimeout(timer);
  }

  /** Stops the broker and deletes its data (a stopped broker keeps it, to be restarted). */
  async function destroy() {
    await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  return { brokers, port, controllerPort, dataDir: dir, pid: child.pid, version: KAFKA_VERSION, stop, destroy };
}

module.exports = { KAFKA_VERSION, ensureKafkaJars, startKafkaBroker, waitForKafka, freePort, freePorts };
