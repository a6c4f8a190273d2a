// The `authtrail.control.producer.status.v1` events of one authn boot (issue #14 item 4): `lost`
// about the previous boot when its ledger says it never stopped, `running` once at start and then
// every `events.heartbeatInterval`, `stopped` at a graceful shutdown after the decision events
// were flushed. Consumers compare `lastSequence` with what they received from that boot.
import type { Publisher } from '@authtrail/event-bus';
import { controlEvent, PRODUCER_STATUS_EVENT_TYPE, TOPICS, type ProducerStatusData } from '@authtrail/events';
import { plainEventPublisher, type EventPublisher } from './chained-publisher';
import type { Logger } from 'pino';
import type { ProducerBoot } from './producer-boot';

export interface ProducerStatusDeps {
  readonly producer: ProducerBoot;
  readonly publisher: Publisher;
  /** The producer's chained publisher; absent: `publisher`, unchained (tests). */
  readonly events?: EventPublisher;
  readonly heartbeatIntervalMs: number;
  /** CloudEvents source, `eventSource('authn', instance)`. */
  readonly source: string;
  readonly newEventId: (now: Date) => string;
  readonly now: () => Date;
  readonly logger: Logger;
}

export interface ProducerStatusReporter {
  /** Publishes `lost` for an unfinished previous boot, then `running`, and starts the heartbeat. */
  start(): Promise<void>;
  /**
   * Stops the heartbeat and publishes `stopped`; the ledger is marked clean only once `flush`
   * delivered it (otherwise the next boot reports this one as lost, with the same numbers).
   */
  stop(flush: () => Promise<void>): Promise<void>;
}

export function createProducerStatusReporter(deps: ProducerStatusDeps): ProducerStatusReporter {
  const { producer, logger } = deps;
  const events = deps.events ?? plainEventPublisher(deps.publisher);
  let timer: NodeJS.Timeout | undefined;

  const publish = async (data: ProducerStatusData): Promise<boolean> => {
    const time = deps.now();
    const event = controlEvent({ id: deps.newEventId(time), time, source: deps.source, type: PRODUCER_STATUS_EVENT_TYPE, data });
    try {
      const result = await events.publish(TOPICS.control, event);
      if (result.dropped) logger.warn({ state: data.state, boot: data.boot }, 'producer status event dropped (event buffer and spool full)');
      return !result.dropped;
    } catch (error) {
      logger.warn({ err: error, state: data.state, boot: data.boot }, 'producer status event not published');
      return false;
    }
  };

  return {
    async start() {
      const lost = producer.unfinished;
      if (lost) {
        logger.warn({ boot: lost.boot, lastSequence: lost.lastSequence, dropped: lost.dropped }, 'the previous boot of this instance did not stop cleanly: reporting it as lost');
        await publish({ instance: producer.instance, boot: lost.boot, state: 'lost', lastSequence: lost.lastSequence, dropped: lost.dropped });
      }
      await publish(producer.status('running'));
      timer = setInterval(() => void publish(producer.status('running')), deps.heartbeatIntervalMs);
      // The heartbeat never keeps the process alive on its own.
      timer.unref();
    },

    async stop(flush) {
      clearInterval(timer);
      timer = undefined;
      if (!(await publish(producer.status('stopped')))) return;
      try {
        await flush();
        producer.stopped();
      } catch (error) {
        logger.warn({ err: error }, 'the stopped status was not delivered; the next start reports this boot as lost');
      }
    },
  };
}
