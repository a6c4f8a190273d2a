// A Kafka broker of a spec's own, for specs that stop, restart or SIGSTOP it (the shared test
// broker must stay up for everyone else), with a work directory for its data and the spools.
import { startKafkaBroker, type RunningKafkaBroker } from '@authtrail/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventBus } from '../bus.port';

export interface PrivateBroker {
  /** Replaced by a spec that restarts the broker. */
  broker: RunningKafkaBroker;
  readonly workDir: string;
  /** Buses the spec created: closed before the broker goes. */
  readonly buses: EventBus[];
}

export async function startPrivateBroker(prefix: string): Promise<PrivateBroker> {
  const workDir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const broker = await startKafkaBroker({ dataDir: path.join(workDir, 'kafka'), log: () => undefined });
  return { broker, workDir, buses: [] };
}

export async function destroyPrivateBroker(running: PrivateBroker | undefined): Promise<void> {
  if (!running) return;
  try {
    // A spec that failed between SIGSTOP and SIGCONT leaves it stopped.
    process.kill(running.broker.pid, 'SIGCONT');
  } catch {
    // already gone
  }
  await Promise.all(running.buses.map((b) => b.close()));
  await running.broker.destroy();
  rmSync(running.workDir, { recursive: true, force: true });
}

/** Registers the spec's beforeAll/afterAll; the returned function gives the running broker. */
export function usePrivateBroker(prefix: string): () => PrivateBroker {
  let running: PrivateBroker | undefined;
  beforeAll(async () => {
    running = await startPrivateBroker(prefix);
  }, 120_000);
  afterAll(() => destroyPrivateBroker(running), 60_000);
  return () => {
    if (!running) throw new Error('the private broker is not running (beforeAll failed?)');
    return running;
  };
}
