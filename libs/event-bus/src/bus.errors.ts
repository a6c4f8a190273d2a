// Typed publish failures: callers branch on `code`, never on the message. Messages name the
// condition and the limit, never a record's content (records may carry identities).
export type PublishErrorCode =
  /** strict mode: Kafka did not acknowledge within `strictTimeoutMs`. */
  | 'publish_timeout'
  /** strict mode: the memory queue is full, Kafka is not keeping up. */
  | 'buffer_full'
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
