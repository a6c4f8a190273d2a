// What the projector tells live readers from inside a batch's transaction: PostgreSQL delivers a
// NOTIFY only once the transaction commits, so a listener that hears one can read the rows
// (docs/graphql.md, "Live subscriptions"). The graphql-api parses the same format
// (services/graphql-api/src/feed/decisions-projected.notification.ts); the channel and the
// payload are the contract between the two services.
import type { SqlRunner } from '@authtrail/read-model';

export const DECISIONS_PROJECTED_CHANNEL = 'authtrail_decisions_projected';

/** PostgreSQL refuses a NOTIFY payload of 8000 bytes or more. */
export const MAX_PAYLOAD_BYTES = 7999;

/** Payload version: `{"v":1,"newest":"<RFC 3339>","ids":["<uuid>",…]}`. */
export const PAYLOAD_VERSION = 1;

/**
 * The payloads announcing `ids` (decisions this transaction appended), as few as fit under the
 * size limit. `newest` is the newest event time of the batch: readers find the rows at or before
 * it. Pure. Ids are UUIDs (ASCII), so characters are bytes.
 */
export function decisionsProjectedPayloads(ids: readonly string[], newest: string): string[] {
  const head = `{"v":${PAYLOAD_VERSION},"newest":${JSON.stringify(newest)},"ids":[`;
  if (head.length + 2 + 40 > MAX_PAYLOAD_BYTES) throw new RangeError(`the newest time is too long for a notification: ${newest.length} characters`);
  const payloads: string[] = [];
  let body = '';
  for (const id of ids) {
    const item = JSON.stringify(id);
    if (head.length + body.length + 1 + item.length + 2 > MAX_PAYLOAD_BYTES) {
      payloads.push(`${head}${body}]}`);
      body = '';
    }
    body += body === '' ? item : `,${item}`;
  }
  if (body !== '') payloads.push(`${head}${body}]}`);
  return payloads;
}

/**
 * Queues the notifications on the transaction `tx` (one statement however many there are). They
 * leave at COMMIT, after the rows are visible; a rolled-back batch sends none.
 */
export async function notifyDecisionsProjected(tx: SqlRunner, ids: readonly string[], newest: string | null): Promise<void> {
  if (ids.length === 0 || newest === null) return;
  await tx.query('SELECT pg_notify($1, payload) FROM unnest($2::text[]) AS payload', [DECISIONS_PROJECTED_CHANNEL, decisionsProjectedPayloads(ids, newest)]);
}
