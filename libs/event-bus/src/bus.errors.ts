// Typed publish failures: callers branch on `code`, never on the message. Messages name the
// condition and the limit, never a record's content (records may carry identities).
export type PublishErrorCode =
  /** strict mode: the record waited `strictTimeoutMs` without being sent; it never will be. */
  | 'publish_timeout'
  /** strict mode: the memory queue is full, Kafka is not keeping up. */
  | 'buffer_full'
  /**
   * strict mode, close() only: the record was sent but Kafka did not acknowledge it, and the spool
   * could not keep it for the next start. It may or may not be in Kafka.
   */
  | 'delivery_unknown'
  /** Kafka refused the record, alone in its batch, as larger than it accepts: it can never land. */
  | 'record_too_large'
  /** `flush` ran out of time with records still unacknowledged. */
  | 'flush_timeout'
  | 'publisher_closed';

export class PublishError extends Error {
  override readonly name = 'PublishError';
  constructor(
    readonly code: PublishErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isPublishError(error: unknown): error is PublishError {
  return error instanceof PublishError;
}
