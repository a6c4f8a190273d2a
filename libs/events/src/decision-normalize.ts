// Request strings made safe once, where the decision event is built (issue #14 item 2): every
// producer goes through `decisionEvent()`, so no caller-controlled value can make an event
// unstorable (Postgres refuses NUL and lone surrogates in text/json), unreadable in a terminal
// or a SIEM (control and bidi characters), or unbounded (16 KiB user agents, 10 000 groups).
// What was changed is marked on the event (`normalized`), so nothing is changed silently.
//
// Hot path: one regex test and one length check per string; nothing is allocated unless a
// value has to change (copy-on-write, parents are copied only when a child changed).
import type { DecisionData, NormalizedField } from './decision.event';

/**
 * One code unit that is never kept: C0 controls, DEL, C1 controls, U+2028/U+2029, the bidi
 * controls (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), or a surrogate that is not
 * part of a pair. No `u` flag: the regex works on UTF-16 code units, so a lone surrogate is
 * one match and a valid pair (an emoji) is none.
 */
const FORBIDDEN_SOURCE =
  '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069]|[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
const FORBIDDEN = new RegExp(FORBIDDEN_SOURCE);
const FORBIDDEN_ALL = new RegExp(FORBIDDEN_SOURCE, 'g');
// The fast path's one test: a plain character class (no look-around), so clean text is one
// linear scan. It also matches valid surrogate pairs; those go on to the exact test above.
const SUSPECT_SOURCE = '[\\u0000-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ud800-\\udfff]';
const SUSPECT = new RegExp(SUSPECT_SOURCE);

export const REPLACEMENT_CHARACTER = '\ufffd';

/** Limits in code points (strings) and items (lists, maps). */
export const NORMALIZATION_LIMITS = {
  'request.path': 2048,
  'request.userAgent': 512,
  message: 512,
  /** Every other string. */
  string: 1024,
  'request.forwardedFor': 32,
  'request.caller.proxies': 32,
  /** Every other list: groups, audiences, each extra's values, attempts, policy effects. */
  list: 1000,
  /** Keys of `user.extra`. */
  'user.extra': 64,
} as const;

/**
 * Every `field` a `normalized` entry can name: the string fields, and the lists and maps whose
 * items are reported as the list or map itself. The data schema allows exactly these.
 */
export const NORMALIZED_FIELDS = [
  'message',
  'strategy',
  'claimedUsername',
  'claimedUsernameHash',
  'instance',
  'boot',
  'decision',
  'reason',
  'attempts',
  'user.username',
  'user.uid',
  'user.groups',
  'user.extra',
  'credential.type',
  'credential.fingerprint',
  'credential.publicId',
  'credential.issuer',
  'credential.subject',
  'credential.audiences',
  'credential.issuedAt',
  'credential.expiresAt',
  'credential.passwordStorage',
  'credential.x509.serial',
  'credential.x509.subject',
  'credential.x509.issuer',
  'credential.x509.notBefore',
  'credential.x509.notAfter',
  'credential.x509.sha256',
  'request.endpoint',
  'request.sourceIp',
  'request.forwardedFor',
  'request.userAgent',
  'request.method',
  'request.path',
  'request.caller.certificate.subject',
  'request.caller.certificate.issuer',
  'request.caller.certificate.serial',
  'request.caller.certificate.sha256',
  'request.caller.proxies',
  'policy.effects',
] as const;
export type NormalizedFieldName = (typeof NORMALIZED_FIELDS)[number];

// Changes found during one call. normalizeDecisionData is synchronous and does not re-enter
// itself, so one module-level list serves every call without allocating on the clean path.
const found: string[] = [];

/** `value` made safe; a change is reported under `field` (the string, or the list or map holding it). */
function text(value: string, field: NormalizedFieldName, limit: number = NORMALIZATION_LIMITS.string): string {
  // The fast path: length counts code units, never fewer than code points.
  if (value.length <= limit && !SUSPECT.test(value)) return value;
  let out = value;
  if (FORBIDDEN.test(out)) {
    out = out.replace(FORBIDDEN_ALL, REPLACEMENT_CHARACTER);
    found.push(`${field}\u0000replaced`);
  }
  if (out.length > limit) {
    const end = codePointEnd(out, limit);
    if (end < out.length) {
      out = out.slice(0, end);
      found.push(`${field}\u0000truncated`);
    }
  }
  return out;
}

/** Index after the first `limit` code points (never inside a surrogate pair). */
function codePointEnd(value: string, limit: number): number {
  let index = 0;
  for (let count = 0; count < limit && index < value.length; count += 1) {
    const unit = value.charCodeAt(index);
    index += unit >= 0xd800 && unit <= 0xdbff && index + 1 < value.length ? 2 : 1;
  }
  return index;
}

// Copy-on-write: `draft` stays undefined (nothing allocated) until a member differs.
type Draft = Record<string, unknown> | undefined;

function put(original: object, draft: Draft, key: string, value: unknown): Draft {
  if (value === (original as Record<string, unknown>)[key]) return draft;
  const copy = draft ?? { ...original };
  copy[key] = value;
  return copy;
}

/** A list of strings: items made safe, then cut to `max` items; changes are reported as the list. */
function texts(list: readonly string[] | undefined, field: NormalizedFieldName, max: number = NORMALIZATION_LIMITS.list): readonly string[] | undefined {
  if (list === undefined) return list;
  let out: string[] | undefined;
  const kept = Math.min(list.length, max);
  for (let i = 0; i < kept; i += 1) {
    const next = text(list[i], field);
    if (next !== list[i]) (out ??= list.slice(0, kept))[i] = next;
  }
  if (list.length > max) {
    found.push(`${field}\u0000truncated`);
    out ??= list.slice(0, max);
  }
  return out ?? list;
}

/** A list of objects: each item made safe by `item`, then cut to the list limit. */
function objects<I extends object>(list: readonly I[] | undefined, field: NormalizedFieldName, item: (value: I) => I): readonly I[] | undefined {
  if (list === undefined) return list;
  let out: I[] | undefined;
  const kept = Math.min(list.length, NORMALIZATION_LIMITS.list);
  for (let i = 0; i < kept; i += 1) {
    const next = item(list[i]);
    if (next !== list[i]) (out ??= list.slice(0, kept))[i] = next;
  }
  if (list.length > NORMALIZATION_LIMITS.list) {
    found.push(`${field}\u0000truncated`);
    out ??= list.slice(0, NORMALIZATION_LIMITS.list);
  }
  return out ?? list;
}

type Attempt = DecisionData['attempts'][number];
type User = NonNullable<DecisionData['user']>;
type Extra = User['extra'];
type Credential = NonNullable<DecisionData['credential']>;
type Request = DecisionData['request'];
type Caller = NonNullable<Request['caller']>;
type Policy = NonNullable<DecisionData['policy']>;
type Effect = Policy['effects'][number];

/** A string member: its key, the field a change is reported as, and its limit (default 1024). */
type TextMember = readonly [key: string, field: NormalizedFieldName, limit?: number];

/** The string members of `value` named in `members`, made safe (absent members stay absent). */
function textMembers(value: object, members: readonly TextMember[], draft: Draft): Draft {
  for (let i = 0; i < members.length; i += 1) {
    const spec = members[i] as TextMember;
    const member = (value as Record<string, unknown>)[spec[0]];
    if (typeof member !== 'string') continue;
    const next = text(member, spec[1], spec[2] ?? NORMALIZATION_LIMITS.string);
    if (next !== member) draft = put(value, draft, spec[0], next);
  }
  return draft;
}

/** An item of `attempts` or `policy.effects`: its string members, all reported as the list. */
function itemOf<T extends object>(field: NormalizedFieldName, keys: readonly (keyof T & string)[]): (value: T) => T {
  const members: readonly TextMember[] = keys.map((key) => [key, field] as const);
  return (value) => (textMembers(value, members, undefined) ?? value) as T;
}

function extra(map: Extra): Extra {
  const max = NORMALIZATION_LIMITS['user.extra'];
  let out: Record<string, readonly string[]> | undefined;
  let count = 0;
  for (const key in map) {
    if (!Object.hasOwn(map, key)) continue;
    if (count === max) {
      found.push('user.extra\u0000truncated');
      out ??= firstKeys(map, max);
      break;
    }
    count += 1;
    const values = map[key];
    const nextKey = text(key, 'user.extra');
    const nextValues = texts(values, 'user.extra') ?? values;
    if (nextKey !== key || nextValues !== values) out ??= firstKeys(map, count - 1);
    // Two keys that differ only in replaced characters become one: the first one wins.
    if (out && !Object.hasOwn(out, nextKey)) define(out, nextKey, nextValues);
  }
  return out ?? map;
}

function firstKeys(map: Extra, n: number): Record<string, readonly string[]> {
  const out: Record<string, readonly string[]> = {};
  let count = 0;
  for (const key in map) {
    if (count === n) break;
    if (!Object.hasOwn(map, key)) continue;
    define(out, key, map[key]);
    count += 1;
  }
  return out;
}

// A key such as `__proto__` (it comes from the request) must become an own property, not a prototype.
function define(target: Record<string, readonly string[]>, key: string, value: readonly string[]): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

const attempt = itemOf<Attempt>('attempts', ['strategy', 'outcome', 'reason']);
const effect = itemOf<Effect>('policy.effects', ['rule', 'effect', 'message']);

const USER_TEXT: readonly TextMember[] = [['username', 'user.username'], ['uid', 'user.uid']];
const X509_TEXT: readonly TextMember[] = (['serial', 'subject', 'issuer', 'notBefore', 'notAfter', 'sha256'] as const).map((key) => [key, `credential.x509.${key}`] as const);
const CREDENTIAL_TEXT: readonly TextMember[] = (['type', 'fingerprint', 'publicId', 'issuer', 'subject', 'issuedAt', 'expiresAt', 'passwordStorage'] as const).map((key) => [key, `credential.${key}`] as const);
const REQUEST_TEXT: readonly TextMember[] = [
  ['endpoint', 'request.endpoint'],
  ['sourceIp', 'request.sourceIp'],
  ['userAgent', 'request.userAgent', NORMALIZATION_LIMITS['request.userAgent']],
  ['method', 'request.method'],
  ['path', 'request.path', NORMALIZATION_LIMITS['request.path']],
];
const CALLER_CERTIFICATE_TEXT: readonly TextMember[] = (['subject', 'issuer', 'serial', 'sha256'] as const).map((key) => [key, `request.caller.certificate.${key}`] as const);
const DATA_TEXT: readonly TextMember[] = [
  ['decision', 'decision'],
  ['reason', 'reason'],
  ['message', 'message', NORMALIZATION_LIMITS.message],
  ['strategy', 'strategy'],
  ['claimedUsername', 'claimedUsername'],
  ['claimedUsernameHash', 'claimedUsernameHash'],
  ['instance', 'instance'],
  ['boot', 'boot'],
];

// Sections a producer builds once and shares between many events (the user, credential and
// attempts of a cache entry: decision-event.ts in libs/authentication), registered by
// `immutableSection`: their strings do not change, so one found clean is not checked again.
const immutable = new WeakSet<object>();
const foundClean = new WeakSet<object>();

/**
 * `section`, known to the normaliser as never changing. Every object in it is frozen; its arrays
 * are not (V8's JSON.stringify takes a slow path on frozen arrays: +0.4 µs an event for a
 * service-account user), so the producer must own them: copies no other code holds.
 */
export function immutableSection<T extends object>(section: T): T {
  freezeObjects(section);
  immutable.add(section);
  return section;
}

function freezeObjects(value: object): void {
  for (const member of Object.values(value)) if (typeof member === 'object' && member !== null) freezeObjects(member as object);
  if (!Array.isArray(value)) Object.freeze(value);
}

/** `normalize` that remembers an immutable section it left unchanged. */
function checkedOnce<T extends object>(normalize: (value: T) => T): (value: T) => T {
  return (value) => {
    if (foundClean.has(value)) return value;
    const out = normalize(value);
    if (out === value && immutable.has(value)) foundClean.add(value);
    return out;
  };
}

const user = checkedOnce((u: User): User => {
  let draft = textMembers(u, USER_TEXT, undefined);
  draft = put(u, draft, 'groups', texts(u.groups, 'user.groups'));
  draft = put(u, draft, 'extra', extra(u.extra));
  return (draft ?? u) as User;
});

const attempts = checkedOnce((list: readonly Attempt[]): readonly Attempt[] => objects(list, 'attempts', attempt) ?? list);

const credential = checkedOnce((c: Credential): Credential => {
  let draft = textMembers(c, CREDENTIAL_TEXT, undefined);
  draft = put(c, draft, 'audiences', texts(c.audiences, 'credential.audiences'));
  if (c.x509 !== undefined) draft = put(c, draft, 'x509', textMembers(c.x509, X509_TEXT, undefined) ?? c.x509);
  return (draft ?? c) as Credential;
});

function request(r: Request): Request {
  let draft = put(r, textMembers(r, REQUEST_TEXT, undefined), 'forwardedFor', texts(r.forwardedFor, 'request.forwardedFor', NORMALIZATION_LIMITS['request.forwardedFor']));
  if (r.caller !== undefined) draft = put(r, draft, 'caller', caller(r.caller));
  return (draft ?? r) as Request;
}

function caller(c: Caller): Caller {
  let draft = put(c, undefined, 'proxies', texts(c.proxies, 'request.caller.proxies', NORMALIZATION_LIMITS['request.caller.proxies']));
  if (c.certificate !== undefined) draft = put(c, draft, 'certificate', textMembers(c.certificate, CALLER_CERTIFICATE_TEXT, undefined) ?? c.certificate);
  return (draft ?? c) as Caller;
}

function policy(p: Policy): Policy {
  const effects = objects(p.effects, 'policy.effects', effect) ?? p.effects;
  return effects === p.effects ? p : { ...p, effects };
}

/**
 * `data` with every string value (and every key of `user.extra`) made safe: forbidden code
 * units replaced by U+FFFD, then strings, lists and maps cut to their limits; each change listed
 * once in `normalized` (sorted by field, then action). Returns `data` itself when nothing had to
 * change. Idempotent. Pure.
 */
export function normalizeDecisionData(data: DecisionData): DecisionData {
  found.length = 0;
  let draft = textMembers(data, DATA_TEXT, undefined);
  draft = put(data, draft, 'attempts', attempts(data.attempts));
  if (data.user !== undefined) draft = put(data, draft, 'user', user(data.user));
  if (data.credential !== undefined) draft = put(data, draft, 'credential', credential(data.credential));
  draft = put(data, draft, 'request', request(data.request));
  if (data.policy !== undefined) draft = put(data, draft, 'policy', policy(data.policy));
  if (found.length === 0) return data;
  const normalized = mergeNormalized(data.normalized, found);
  found.length = 0;
  return { ...(draft as unknown as DecisionData), normalized };
}

function mergeNormalized(previous: readonly NormalizedField[] | undefined, marks: readonly string[]): NormalizedField[] {
  const keys = new Set(marks);
  for (const entry of previous ?? []) keys.add(`${entry.field}\u0000${entry.action}`);
  return [...keys].sort(compareMarks).map((key) => {
    const [field, action] = key.split('\u0000') as [string, NormalizedField['action']];
    return { field, action };
  });
}

// Sorted by field, then action, in code-unit order (the order does not depend on the locale).
function compareMarks(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
