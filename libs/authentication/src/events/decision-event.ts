// One decision → one `authtrail.authn.decision.v1` event. Pure: the id, the clock, the boot and
// sequence number, the drop count and the HMAC functions are passed in, so a table of tests pins
// every field. The raw secret is only ever handed to `fingerprint` and never copied into the
// event; a typed username is only ever handed to `usernameHash`. Request strings are made safe
// (and limited) by `decisionEvent()` in libs/events, the one normalisation every producer uses.
import { isIP } from 'node:net';
import { decisionEvent, eventSource, immutableSection, isoTimeOf, type DecisionAttempt, type DecisionCaller, type DecisionCredential, type DecisionData, type DecisionEvent, type DecisionRequest, type DecisionUser, type PolicyEffect, type ReasonCode } from '@authtrail/events';
import type { Attempt, CredentialDescription, UserInfo } from '@authtrail/strategies';
import type { Mutable } from '../mutable';

/** What the service decided, before it becomes an event. */
export interface DecisionResult {
  readonly decision: 'allow' | 'deny';
  readonly httpStatus: number;
  readonly reason: ReasonCode;
  readonly message?: string;
  readonly strategy?: string;
  readonly attempts: readonly Attempt[];
  readonly user?: UserInfo;
  readonly credential?: CredentialDescription;
  /** A name that cannot be a secret (a known account, a certificate CN, a JWT `sub`): kept in clear. */
  readonly claimedUsername?: string;
  /** A name a person typed that matches no account: only its hash is kept. */
  readonly typedUsername?: string;
  readonly policy?: { readonly version: number; readonly effects: readonly PolicyEffect[] };
  /** Answered by a credential-cache entry: `user`, `credential` and `attempts` are shared with the entry's other decisions. */
  readonly cached?: true;
}

/** What the event says about the request: exactly the event's `request` section. */
export type DecisionRequestFacts = DecisionRequest;

export interface DecisionEventContext {
  readonly now: Date;
  readonly id: string;
  readonly instance: string;
  /** The producing service in the CloudEvents source (default `authn`; GraphQL callers: `graphql-api`). */
  readonly service?: string;
  /** The producer boot (UUIDv7); `sequence` counts within it. */
  readonly boot?: string;
  readonly sequence: number;
  /** Decision events this boot dropped before this one. */
  readonly dropped?: number;
  readonly latencyMicros?: number;
  readonly fingerprint: (secret: string) => string;
  readonly usernameHash: (username: string) => string;
}

export function toDecisionEvent(result: DecisionResult, request: DecisionRequestFacts, context: DecisionEventContext): DecisionEvent {
  const cached = result.cached === true;
  const credential = result.credential ? credentialSection(result.credential, context.fingerprint, cached) : undefined;
  const denied = result.decision === 'deny';
  // Every failure that named someone is findable by the name's hash (GraphQL hashes the name an
  // admin asks about with the same keys); only a name that cannot be a secret is kept in clear.
  const named = denied ? (result.claimedUsername || result.typedUsername) : undefined;
  // Member by member, in the event's order: no throw-away objects to spread on every decision.
  const data: Mutable<DecisionData> = { decision: result.decision, httpStatus: result.httpStatus, reason: result.reason } as Mutable<DecisionData>;
  if (result.message !== undefined) data.message = result.message;
  if (result.strategy !== undefined) data.strategy = result.strategy;
  data.attempts = attemptsSection(result.attempts, cached);
  if (result.user) data.user = userSection(result.user, cached);
  if (denied && result.claimedUsername) data.claimedUsername = result.claimedUsername;
  if (named) data.claimedUsernameHash = context.usernameHash(named);
  if (credential) data.credential = credential;
  data.request = requestSection(request);
  if (result.policy) data.policy = { version: result.policy.version, effects: result.policy.effects.map((e) => ({ ...e })) };
  if (context.latencyMicros !== undefined) data.latencyMicros = Math.max(0, Math.round(context.latencyMicros));
  data.instance = context.instance;
  if (context.boot !== undefined) data.boot = context.boot;
  data.sequence = context.sequence;
  if (context.dropped) data.dropped = context.dropped;
  return decisionEvent({ id: context.id, time: context.now, source: sourceOf(context.service ?? 'authn', context.instance), data });
}

// A process produces under one service and instance: its source is encoded once, not per event.
let lastSource = { service: '', instance: '', source: '' };

function sourceOf(service: string, instance: string): string {
  if (lastSource.service !== service || lastSource.instance !== instance || lastSource.source === '') lastSource = { service, instance, source: eventSource(service, instance) };
  return lastSource.source;
}

// A credential-cache entry answers many decisions with the same user, credential and attempts
// objects (immutable): their event sections are built once (copies of their own, never handed
// out), frozen, and found clean by the normaliser once. Only for cache entries: freezing costs
// more than building a section once.
const userSections = new WeakMap<UserInfo, DecisionUser>();
const credentialSections = new WeakMap<CredentialDescription, DecisionCredential>();
const attemptsSections = new WeakMap<readonly Attempt[], readonly DecisionAttempt[]>();

function sharedSection<K extends object, S extends object>(sections: WeakMap<K, S>, source: K, build: () => S): S {
  let section = sections.get(source);
  if (section === undefined) {
    section = immutableSection(build());
    sections.set(source, section);
  }
  return section;
}

function userSection(user: UserInfo, cached: boolean): DecisionUser {
  return cached ? sharedSection(userSections, user, () => describeUser(user)) : describeUser(user);
}

function describeUser(user: UserInfo): DecisionUser {
  const section: Mutable<DecisionUser> = { username: user.username } as Mutable<DecisionUser>;
  if (user.uid !== undefined) section.uid = user.uid;
  section.groups = user.groups.slice();
  section.extra = copyExtra(user.extra);
  return section;
}

function attemptsSection(attempts: readonly Attempt[], cached: boolean): readonly DecisionAttempt[] {
  return cached ? sharedSection(attemptsSections, attempts, () => attempts.map(describeAttempt)) : attempts.map(describeAttempt);
}

function describeAttempt(attempt: Attempt): DecisionAttempt {
  const section: Mutable<DecisionAttempt> = { strategy: attempt.strategy, outcome: attempt.outcome };
  if (attempt.reason) section.reason = attempt.reason;
  return section;
}

function credentialSection(c: CredentialDescription, fingerprint: (secret: string) => string, cached: boolean): DecisionCredential {
  // Shared only once fingerprinted (the cache keeps them so): before that, the section depends on `fingerprint` too.
  return cached && c.fingerprint !== undefined ? sharedSection(credentialSections, c, () => describeCredential(c, fingerprint)) : describeCredential(c, fingerprint);
}

function describeCredential(c: CredentialDescription, fingerprint: (secret: string) => string): DecisionCredential {
  const section: Mutable<DecisionCredential> = { type: c.type };
  if (c.fingerprint !== undefined) section.fingerprint = c.fingerprint;
  else if (c.secretForFingerprint) section.fingerprint = fingerprint(c.secretForFingerprint);
  if (c.publicId !== undefined) section.publicId = c.publicId;
  if (c.issuer !== undefined) section.issuer = c.issuer;
  if (c.subject !== undefined) section.subject = c.subject;
  if (c.audiences !== undefined) section.audiences = c.audiences.slice();
  if (validDate(c.issuedAt)) section.issuedAt = isoTimeOf(c.issuedAt.getTime());
  if (validDate(c.expiresAt)) section.expiresAt = isoTimeOf(c.expiresAt.getTime());
  if (c.x509) {
    section.x509 = {
      serial: c.x509.serial,
      subject: c.x509.subject,
      issuer: c.x509.issuer,
      notBefore: isoTimeOf(c.x509.notBefore.getTime()),
      notAfter: isoTimeOf(c.x509.notAfter.getTime()),
      sha256: c.x509.sha256,
    };
  }
  if (c.passwordStorage !== undefined) section.passwordStorage = c.passwordStorage;
  return section;
}

function requestSection(request: DecisionRequestFacts): DecisionRequest {
  const section: Mutable<DecisionRequest> = { endpoint: request.endpoint };
  // Only a real address: the field is typed ipv4/ipv6 for consumers.
  if (request.sourceIp !== undefined && isIP(request.sourceIp) !== 0) section.sourceIp = request.sourceIp;
  if (request.forwardedFor && request.forwardedFor.length > 0) section.forwardedFor = [...request.forwardedFor];
  if (request.userAgent !== undefined) section.userAgent = request.userAgent;
  if (request.method !== undefined) section.method = request.method;
  if (request.path !== undefined) section.path = request.path;
  if (request.tls !== undefined) section.tls = request.tls;
  const caller = request.caller ? callerOf(request.caller) : undefined;
  if (caller) section.caller = caller;
  return section;
}

/** The caller with its proxies limited to plain addresses (the field is typed ipv4/ipv6), or undefined when that leaves nothing. */
function callerOf(caller: DecisionCaller): DecisionCaller | undefined {
  const proxies = caller.proxies?.filter((p) => isIP(p) !== 0 && !p.includes('%')) ?? [];
  const certificate = caller.certificate ? { ...caller.certificate } : undefined;
  if (!certificate && proxies.length === 0) return undefined;
  return { ...(certificate ? { certificate } : {}), ...(proxies.length > 0 ? { proxies } : {}) };
}

function validDate(d: Date | undefined): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

function copyExtra(extra: UserInfo['extra']): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const key in extra) {
    if (!Object.hasOwn(extra, key)) continue;
    const values = (extra[key] as readonly string[]).slice();
    // `__proto__` (a claim name can be anything) must stay a key, not become the prototype.
    if (key === '__proto__') Object.defineProperty(out, key, { value: values, enumerable: true, writable: true, configurable: true });
    else out[key] = values;
  }
  return out;
}
