import type { BusRecord } from '../bus.port';

/** What the queued publisher sends batches through (Kafka in production, a fake in unit tests). */
export interface RecordTransport {
  /** Resolves once every record is acknowledged; rejects if any may not be. */
  send(records: readonly BusRecord[]): Promise<void>;
  /** Called after a failed send: drop connections and producer state, the next send starts fresh. */
  reset(): Promise<void>;
  close(): Promise<void>;
}
