import { runKillAndRestartScenario, type ScenarioResult } from './testdata/kill-and-restart.scenario';

// Issue 20 item 2: three projector processes in one consumer group, one SIGKILLed mid-stream and
// started again; the group moves its partitions to the two survivors and back.
describe('three projectors in one consumer group, one killed with SIGKILL mid-stream and restarted', () => {
  const EVENTS = 8_000;
  const PARTITIONS = 6;
  let result: ScenarioResult;

  beforeAll(async () => {
    result = await runKillAndRestartScenario('scale3', { instances: 3, decisionPartitions: PARTITIONS, events: EVENTS, seed: 31 });
    process.stdout.write(`[scale3] kill → survivors held every partition after ${result.takeoverSeconds.toFixed(1)} s; restart (process start included) → partitions back after ${result.rejoinSeconds.toFixed(1)} s\n`);
  }, 300_000);

  it('the kill was a SIGKILL of a projector that held partitions, and the whole stream was sent', () => {
    expect(result.victimEnd).toBe('SIGKILL');
    expect(result.victimHeld.length).toBeGreaterThan(0);
    // The decisions and the control events between them.
    expect(result.generated).toBeGreaterThan(EVENTS);
    expect(result.produced).toBe(result.generated);
  });

  it('the rebalance split the killed projector\'s partitions over the survivors, then moved some to the restarted one', () => {
    const survivorsAfterKill = result.afterKill.flat();
    for (const partition of result.victimHeld) expect(survivorsAfterKill).toContain(partition);
    expect(result.afterKill.every((held) => held.length > 0)).toBe(true);
    // Decision partitions and the control partition: each held by exactly one live projector.
    expect(survivorsAfterKill).toHaveLength(PARTITIONS + 1);
    const restarted = result.afterRestart[result.afterRestart.length - 1];
    expect(restarted.length).toBeGreaterThan(0);
    expect(result.afterRestart.flat().sort()).toEqual([...survivorsAfterKill].sort());
  });

  it('0 lost, 0 duplicated, counters exact: the read models hold what was sent, each event once', () => {
    expect(result.projected).toEqual(result.sent);
  });

  it('every read model equals one projector\'s clean run of the same topics', () => {
    expect(result.snapshot).toEqual(result.cleanSnapshot);
  });

  it('no deadlock, no failed batch, and the three projectors still running stop cleanly', () => {
    // Together: a failure shows the error lines (a deadlock names its statement there).
    expect({ deadlocks: result.deadlocks, errorLines: result.errorLines }).toEqual({ deadlocks: 0, errorLines: [] });
    expect(result.finalExits).toEqual([0, 0, 0]);
  });
});
