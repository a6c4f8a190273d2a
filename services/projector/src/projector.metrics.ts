import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ProjectorMetrics {
  readonly events: Counter<'topic' | 'result'>;
  readonly deadLetters: Counter<'reason'>;
  readonly batchSize: Histogram;
  readonly batchSeconds: Histogram;
  readonly lag: Gauge<'topic' | 'partition'>;
  readonly eventsPerSecond: Gauge;
  readonly errors: Counter;
  readonly lastErrorTime: Gauge;
  /** Feeds the events/s gauge (exponentially weighted over ~10 s). */
  noteProjected(count: number, nowMs: number): void;
}

export function createProjectorMetrics(registry: Registry): ProjectorMetrics {
  const registers = [registry];
  const eventsPerSecond = new Gauge({ name: 'authtrail_projector_events_per_second', help: 'Events projected per second (10 s moving average)', registers });
  let rate = 0;
  let last: number | undefined;
  return {
    events: new Counter({ name: 'authtrail_projector_events_total', help: 'Records handled, by result (projected, duplicate, dead_lettered)', labelNames: ['topic', 'result'], registers }),
    deadLetters: new Counter({ name: 'authtrail_projector_dead_letters_total', help: 'Poison records sent to the dead-letter topic, by reason', labelNames: ['reason'], registers }),
    batchSize: new Histogram({ name: 'authtrail_projector_batch_size', help: 'Records per projected batch', buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000], registers }),
    batchSeconds: new Histogram({ name: 'authtrail_projector_batch_seconds', help: 'Time to project one batch (one transaction)', buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5], registers }),
    lag: new Gauge({ name: 'authtrail_projector_lag', help: 'Records behind the high watermark, per partition', labelNames: ['topic', 'partition'], registers }),
    eventsPerSecond,
    errors: new Counter({ name: 'authtrail_projector_errors_total', help: 'Batches that failed and will be delivered again', registers }),
    lastErrorTime: new Gauge({ name: 'authtrail_projector_last_error_timestamp_seconds', help: 'Unix time of the last failed batch (0: none)', registers }),
    noteProjected(count, nowMs) {
      if (last === undefined) {
        last = nowMs;
        return;
      }
      const seconds = Math.max(0.001, (nowMs - last) / 1000);
      last = nowMs;
      const alpha = 1 - Math.exp(-seconds / 10);
      rate = rate + alpha * (count / seconds - rate);
      eventsPerSecond.set(rate);
    },
  };
}
