// What a checkpoint signature covers: the RFC 8785 JSON of the whole checkpoint event without
// `data.signature`. The data alone would leave the envelope (id, time, source) and the chain
// attributes of the newest checkpoint unprotected: nothing links to the last record of a chain.
import { sign, verify, type KeyObject } from 'node:crypto';
import { canonicalJson } from './jcs';

/** The bytes signed for a checkpoint event (parsed or built); `data.signature` is left out. */
export function checkpointSigningInput(event: Readonly<Record<string, unknown>>): Buffer {
  const data = event['data'];
  const { signature: _signature, ...unsigned } = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  return Buffer.from(canonicalJson({ ...event, data: unsigned }), 'utf8');
}

export function signCheckpoint(input: Buffer, privateKey: KeyObject): string {
  return sign(null, input, privateKey).toString('base64url');
}

const ED25519_SIGNATURE_BASE64URL = /^[A-Za-z0-9_-]{86}$/;

export type SignatureCheck = { readonly ok: true } | { readonly ok: false; readonly detail: string };

export function verifyCheckpointSignature(input: Buffer, signature: unknown, publicKey: KeyObject): SignatureCheck {
  if (typeof signature !== 'string' || !ED25519_SIGNATURE_BASE64URL.test(signature)) return { ok: false, detail: 'the signature is not 64 bytes of base64url' };
  const bytes = Buffer.from(signature, 'base64url');
  // 86 base64url characters carry 516 bits: the last 4 must be zero, or two texts decode alike.
  if (bytes.length !== 64 || bytes.toString('base64url') !== signature) return { ok: false, detail: 'the signature is not canonical base64url' };
  return verify(null, input, publicKey, bytes) ? { ok: true } : { ok: false, detail: 'the Ed25519 signature does not match' };
}
