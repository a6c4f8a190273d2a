// One format for everything on authtrail.dead-letter.v1, whichever service put it there: the
// original key, bytes and headers unchanged (a fixed record can be replayed as is), plus
// `authtrail_dlq_*` headers saying who refused it, why and where it came from.

export const DEAD_LETTER_HEADERS = {
  /** Who refused it: `projector`, `decoder`, or a SIEM sink's name. */
  refusedBy: 'authtrail_dlq_sink',
  /** Why, in words; never quotes the record (it may hold anything, a pasted token included). */
  reason: 'authtrail_dlq_reason',
  /** A stable code where there is one (`invalid_json`, `unknown_type`, …). */
  code: 'authtrail_dlq_code',
  topic: 'authtrail_dlq_topic',
  partition: 'authtrail_dlq_partition',
  offset: 'authtrail_dlq_offset',
  time: 'authtrail_dlq_time',
} as const;

/** A consumed record, as much of it as a dead letter needs. */
export interface RefusedRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: string | null;
  readonly value: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
}

export interface DeadLetterInput {
  readonly record: RefusedRecord;
  readonly refusedBy: string;
  readonly reason: string;
  readonly code?: string;
  readonly now: Date;
  /** The dead-letter topic (default authtrail.dead-letter.v1). */
  readonly topic: string;
}

/** The dead-letter record for `input` (structurally a bus record). Pure. */
export function deadLetterRecord(input: DeadLetterInput): { topic: string; key: string; value: Buffer; headers: Record<string, string> } {
  const { record } = input;
  return {
    topic: input.topic,
    key: record.key ?? '',
    value: record.value ?? Buffer.alloc(0),
    headers: {
      ...record.headers,
      [DEAD_LETTER_HEADERS.refusedBy]: input.refusedBy,
      [DEAD_LETTER_HEADERS.reason]: input.reason.slice(0, 1024),
      ...(input.code ? { [DEAD_LETTER_HEADERS.code]: input.code } : {}),
      [DEAD_LETTER_HEADERS.topic]: record.topic,
      [DEAD_LETTER_HEADERS.partition]: String(record.partition),
      [DEAD_LETTER_HEADERS.offset]: record.offset,
      [DEAD_LETTER_HEADERS.time]: input.now.toISOString(),
    },
  };
}
