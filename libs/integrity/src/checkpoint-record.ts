// Reads a checkpoint record on the verifier side: its form, its data schema and its signature.
// Everything is checked on the bytes as received; the result says what is wrong, never throws.
import { INTEGRITY_CHECKPOINT_EVENT_TYPE, validateEnvelope, validateEventData, type IntegrityCheckpointData } from '@authtrail/events';
import { checkpointSigningInput, verifyCheckpointSignature } from './checkpoint-signature';
import { CanonicalJsonError } from './jcs';
import type { VerificationKeyRing } from './key-ring';

export type CheckpointRead =
  | { readonly ok: true; readonly data: IntegrityCheckpointData; readonly signature: { readonly ok: true } | { readonly ok: false; readonly kind: 'bad_signature' | 'unknown_key'; readonly detail: string } }
  | { readonly ok: false; readonly detail: string };

/** `text` is the record value as received; `event` is its parse. */
export function readCheckpoint(text: string, event: Readonly<Record<string, unknown>>, keys: VerificationKeyRing): CheckpointRead {
  // Producers write JSON.stringify output; anything else (spaces, escapes, duplicate names) in a
  // checkpoint means the bytes were touched, even where the parse would read the same.
  if (JSON.stringify(event) !== text) return { ok: false, detail: 'the checkpoint record is not in the form its producer writes' };
  const envelope = validateEnvelope(event);
  if (!envelope.ok) return { ok: false, detail: `checkpoint envelope: ${envelope.detail}` };
  const valid = validateEventData(INTEGRITY_CHECKPOINT_EVENT_TYPE, event['data']);
  if (!valid.ok) return { ok: false, detail: `checkpoint data: ${valid.detail}` };
  const data = event['data'] as IntegrityCheckpointData;

  const publicKey = keys.get(data.keyId);
  if (!publicKey) return { ok: true, data, signature: { ok: false, kind: 'unknown_key', detail: `signed with key "${data.keyId}", which is not among the public keys given (${keys.ids.join(', ')})` } };
  let input: Buffer;
  try {
    input = checkpointSigningInput(event);
  } catch (error) {
    if (!(error instanceof CanonicalJsonError)) throw error;
    return { ok: true, data, signature: { ok: false, kind: 'bad_signature', detail: `the checkpoint has no RFC 8785 form: ${error.rule}` } };
  }
  const check = verifyCheckpointSignature(input, data.signature, publicKey);
  return { ok: true, data, signature: check.ok ? check : { ok: false, kind: 'bad_signature', detail: `${check.detail} (key "${data.keyId}")` } };
}
