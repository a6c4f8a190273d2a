// Opaque keyset cursors: base64url of `<kind>|<time ms>|<key>`. The kind stops a decisions
// cursor from being replayed against credentials; decoding is total (never throws): a bad
// cursor is a typed result the resolver turns into INVALID_CURSOR.
import type { KeysetPosition } from '@authtrail/read-model';

export type CursorKind = 'decision' | 'identity' | 'credential' | 'policy' | 'revocation';

export type CursorDecoding = { readonly ok: true; readonly position: KeysetPosition } | { readonly ok: false; readonly reason: string };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_CURSOR_LENGTH = 2048;

export function encodeCursor(kind: CursorKind, time: Date | null, key: string | number): string {
  return Buffer.from(`${kind}|${time ? time.getTime() : 0}|${key}`, 'utf8').toString('base64url');
}

export function decodeCursor(kind: CursorKind, cursor: string): CursorDecoding {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) return { ok: false, reason: 'not a cursor' };
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const first = text.indexOf('|');
  const second = text.indexOf('|', first + 1);
  if (first < 0 || second < 0) return { ok: false, reason: 'not a cursor' };
  const [cursorKind, millis, key] = [text.slice(0, first), text.slice(first + 1, second), text.slice(second + 1)];
  if (cursorKind !== kind) return { ok: false, reason: `not a ${kind} cursor` };
  if (!/^-?\d{1,16}$/.test(millis)) return { ok: false, reason: 'bad cursor time' };
  const time = new Date(Number(millis));
  if (Number.isNaN(time.getTime())) return { ok: false, reason: 'bad cursor time' };
  if (key.length === 0) return { ok: false, reason: 'empty cursor key' };
  if (kind === 'decision' && !UUID.test(key)) return { ok: false, reason: 'bad cursor key' };
  if (kind === 'policy' && !/^\d{1,9}$/.test(key)) return { ok: false, reason: 'bad cursor key' };
  return { ok: true, position: { time, key } };
}
