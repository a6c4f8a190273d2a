import type { BusRecord } from '../bus.port';

/** What the queued publisher sends batches through (Kafka in production, a fake in unit tests). */
export interface RecordTransport {
  /**
   * Gets ready to send records of these topics (connection, producer, missing topics) without
   * handing any record to Kafka: when it fails, nothing was sent. Strict mode relies on that line
   * (records not yet handed over may still be refused; records handed over may have landed).
   */
  prepare(topics: ReadonlySet<string>): Promise<void>;
  /**
   * Hands the records to Kafka; resolves once every record is acknowledged; rejects if any may not
   * be — with a RecordsTooLargeError when Kafka refused them as a batch larger than it accepts.
   */
  send(records: readonly BusRecord[]): Promise<void>;
  /** Called after a failed send: drop connections and producer state, the next send starts fresh. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** Kafka refused the batch as larger than it accepts: sent again as it is, it is refused again. */
export class RecordsTooLargeError extends Error {
  override readonly name = 'RecordsTooLargeError';
}
