// For the in-process bus specs: a fresh data directory per test, and every bus opened on it
// closed (and the directory removed) after the test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { EventBus } from '../bus.port';
import { createInProcessBus, type InProcessBusOptions } from '../in-process/in-process-bus';

export interface InProcessBuses {
  readonly dataDir: string;
  /** A bus on this test's data directory with the spec's defaults and `options` over them. */
  open(options?: InProcessBusOptions): EventBus;
  /** Closes one bus now (a restart within the test). */
  close(bus: EventBus): Promise<void>;
}

export function inProcessBuses(defaults: InProcessBusOptions): InProcessBuses {
  let dataDir = '';
  const open: EventBus[] = [];
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'in-process-bus-'));
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((b) => b.close()));
    rmSync(dataDir, { recursive: true, force: true });
  });
  return {
    get dataDir() {
      return dataDir;
    },
    open(options = {}) {
      const bus = createInProcessBus({ dataDir, ...defaults, ...options });
      open.push(bus);
      return bus;
    },
    async close(bus) {
      open.splice(open.indexOf(bus), 1);
      await bus.close();
    },
  };
}
