// One round of partition maintenance, and the loop that runs it in the projector:
// 1. create the current period's partition and `partitionsAhead` after it (events never wait
//    on a CREATE TABLE, and do not pile up in the DEFAULT partition);
// 2. give every stray in the DEFAULT partition its period's partition (its rows move there), so
//    the default partition is empty after every round and retention only ever drops whole tables;
// 3. with a retention: finish retirements left half done, then retire every partition wholly
//    older than now − retention (retire-partition.ts). Never a DELETE of retained rows.
// Parts of a period some partition already covers (another period setting, made by hand) are
// cut out. Every catalog change runs under the maintenance lock after re-reading the catalog,
// so several projector instances may run rounds at the same time.
import {
  createDecisionPartition,
  inTransaction,
  listDecisionPartitions,
  lockPartitionMaintenance,
  pendingRetirements,
  periodOf,
  periodsAhead,
  retirablePartitions,
  strayPeriodStarts,
  uncoveredRanges,
  type ReadModelDb,
  type TimeRange,
} from '@authtrail/read-model';
import type { ProjectorLogger } from '../projector';
import type { PartitionSettings } from './partition.settings';
import { detachForRetirement, finishRetirement } from './retire-partition';

export interface MaintenanceReport {
  /** Partitions created, oldest first. */
  readonly created: readonly string[];
  /** Strays moved out of the DEFAULT partition. */
  readonly moved: number;
  /** Partitions retired (detached, folded into the rollup, dropped). */
  readonly retired: readonly string[];
  /** Events folded into the rollup by this round. */
  readonly folded: number;
}

export interface MaintenanceOptions {
  /** Events per fold transaction when retiring (default 5,000). */
  readonly pageSize?: number;
}

/** Creates the partitions for `wanted` that no partition covers yet; returns names and strays moved. */
async function ensureCovered(db: ReadModelDb, wanted: readonly TimeRange[]): Promise<{ created: string[]; moved: number }> {
  const created: string[] = [];
  let moved = 0;
  for (const period of wanted) {
    await inTransaction(db, async (tx) => {
      await lockPartitionMaintenance(tx);
      const { ranges } = await listDecisionPartitions(tx);
      for (const gap of uncoveredRanges(period, ranges)) {
        const made = await createDecisionPartition(tx, gap);
        created.push(made.name);
        moved += made.moved;
      }
    });
  }
  return { created, moved };
}

export async function runPartitionMaintenance(db: ReadModelDb, settings: PartitionSettings, now: number, options: MaintenanceOptions = {}): Promise<MaintenanceReport> {
  const ahead = await ensureCovered(db, periodsAhead(now, settings.partitioning, settings.partitionsAhead));
  const strayStarts = await strayPeriodStarts(db, settings.partitioning === 'daily' ? 'day' : 'month');
  const strays = await ensureCovered(db, strayStarts.map((start) => periodOf(start, settings.partitioning)));
  const retired: string[] = [];
  let folded = 0;
  if (settings.retentionMs !== undefined) {
    const pageSize = options.pageSize ?? 5_000;
    // A round that stopped half way (crash, restart) is finished first.
    for (const pending of await pendingRetirements(db)) {
      folded += await finishRetirement(db, pending, pageSize);
      retired.push(pending.name);
    }
    const { ranges } = await listDecisionPartitions(db);
    for (const partition of retirablePartitions(ranges, now, settings.retentionMs)) {
      await detachForRetirement(db, partition);
      const [pending] = (await pendingRetirements(db)).filter((p) => p.name === partition.name);
      if (pending) folded += await finishRetirement(db, pending, pageSize);
      retired.push(partition.name);
    }
  }
  return { created: [...ahead.created, ...strays.created], moved: ahead.moved + strays.moved, retired, folded };
}

export interface RunningPartitionMaintenance {
  /** The round in flight (or the next one, if none is). */
  runNow(): Promise<MaintenanceReport>;
  /** Stops the loop after the round in flight. */
  stop(): Promise<void>;
}

/** Runs a round at start and every `maintenanceIntervalMs`; a failed round is logged and tried again next time. */
export function startPartitionMaintenance(
  db: ReadModelDb,
  settings: PartitionSettings,
  deps: { readonly logger: ProjectorLogger; readonly now?: () => number } & MaintenanceOptions,
): RunningPartitionMaintenance {
  const now = deps.now ?? Date.now;
  let inFlight: Promise<MaintenanceReport> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const round = (): Promise<MaintenanceReport> => {
    inFlight ??= runPartitionMaintenance(db, settings, now(), deps).finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };
  const tick = (): void => {
    round().then(
      (report) => {
        if (report.created.length + report.retired.length + report.moved > 0) deps.logger.info({ ...report }, 'decision partitions maintained');
      },
      (error: unknown) => deps.logger.error({ error: error instanceof Error ? `${error.name}: ${error.message}` : 'unknown' }, 'decision partition maintenance failed; next round retries'),
    ).finally(() => {
      if (!stopped) timer = setTimeout(tick, settings.maintenanceIntervalMs);
    });
  };
  tick();
  return {
    runNow: round,
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight?.catch(() => undefined);
    },
  };
}
