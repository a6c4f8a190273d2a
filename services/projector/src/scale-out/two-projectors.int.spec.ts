import { runKillAndRestartScenario, type ScenarioResult } from './testdata/kill-and-restart.scenario';

// Issue 20 item 2: two projector processes in one consumer group, one SIGKILLed mid-stream and
// started again; the group moves its partitions to the survivor and back.
describe('two projectors in one consumer group, one killed with SIGKILL mid-stream and restarted', () => {
  const EVENTS = 8_000;
  let result: ScenarioResult;

  beforeAll(async () => {
    result = await runKillAndRestartScenario('scale2', { instances: 2, decisionPartitions: 6, events: EVENTS, seed: 21 });
    process.stdout.write(`[scale2] kill → survivors held every partition after ${result.takeoverSeconds.toFixed(1)} s; restart (process start included) → partitions back after ${result.rejoinSeconds.toFixed(1)} s\n`);
  }, 300_000);

  it('the kill was a SIGKILL of a projector that held partitions, and the whole stream was sent', () => {
    expect(result.victimEnd).toBe('SIGKILL');
    expect(result.victimHeld.length).toBeGreaterThan(0);
    // The decisions and the control events between them.
    expect(result.generated).toBeGreaterThan(EVENTS);
    expect(result.produced).toBe(result.generated);
  });

  it('the rebalance gave the survivor every partition, then moved some back to the restarted projector', () => {
    const [survivorAfterKill] = result.afterKill;
    for (const partition of result.victimHeld) expect(survivorAfterKill).toContain(partition);
    const [survivorAfterRestart, restarted] = result.afterRestart;
    expect(restarted.length).toBeGreaterThan(0);
    expect([...survivorAfterRestart, ...restarted].sort()).toEqual([...survivorAfterKill].sort());
  });

  it('0 lost, 0 duplicated, counters exact: the read models hold what was sent, each event once', () => {
    expect(result.projected).toEqual(result.sent);
  });

  it('every read model equals one projector\'s clean run of the same topics', () => {
    expect(result.snapshot).toEqual(result.cleanSnapshot);
  });

  it('no deadlock, no failed batch, and both projectors still running stop cleanly', () => {
    // Together: a failure shows the error lines (a deadlock names its statement there).
    expect({ deadlocks: result.deadlocks, errorLines: result.errorLines }).toEqual({ deadlocks: 0, errorLines: [] });
    expect(result.finalExits).toEqual([0, 0]);
  });
});
