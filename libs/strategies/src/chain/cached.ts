// Kubernetes' cached token authenticator (token/cache), generalised to every credential kind.
//
// Why the key is keyed-hashed: the cache lives in memory for as long as the process, so it must
// not hold raw credentials (a heap dump or a debugging session would show every live token and
// password). The key covers the Authorization header, the SHA-256 of each presented certificate
// and the requested audiences (the same token asked for another audience is another question).
// A bearer token enters it as its fingerprint (the authn service's HMAC, which the request needs
// anyway for the throttle and the event: one HMAC per request, see request-fingerprints.ts),
// with the header's text around the token kept, so two headers share a key only if they are
// equal. Any other header (or no `fingerprint` function) is hashed whole with HMAC-SHA256 under
// a random key drawn once per process. Either way the keys cannot be tested against guessed
// tokens without a secret key.
//
// Kubernetes defaults: successes 10 s, failures 0 s (not cached). `errored` and `abstained` are
// never cached (a JWKS outage must not be remembered). A success is never kept past the
// credential's own expiry. Concurrent misses for the same key share one evaluation
// (single-flight), so a burst of identical requests costs one KDF or one signature check.
// Requests that present no credential at all bypass the cache: their outcome may depend on the
// path (anonymous allow-list), which is not part of the key.
// With a `fingerprint` function, a stored outcome keeps the credential's fingerprint instead of
// `secretForFingerprint`: the entries hold no raw secret, and a hit needs no second HMAC. With
// `candidates` too, an entry also keeps the fingerprint under every configured key (revocations
// made under a key being rotated out still match a hit); the secret is gone all the same.
// A stored rejection keeps its `claimedUsername` / `typedUsername` so a hit records the same
// name (hash) as the miss; a typed name may be a mistyped password, so it lives in memory for
// the failure TTL only (Kubernetes default 0: not stored at all) and is never written anywhere.
import { createHash, createHmac, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';
import { fingerprinted, type RequestView, type Strategy } from '../strategy';
import { parseAuthorizationHeader } from '../http/authorization-header';
import { requestFingerprints, type FingerprintFunctions } from '../shared/request-fingerprints';
import { systemClock } from '../shared/strategy-deps';
import type { ChainResult, ChainStrategy } from './first-match';
import { traceOf } from './trace';

export interface CachedOptions {
  /** How long an `authenticated` outcome is reused (Kubernetes default 10 s). */
  readonly successTTLms: number;
  /** How long a `rejected` outcome is reused (Kubernetes default 0: not cached). */
  readonly failureTTLms: number;
  /** Bound on entries; the least recently used go first. Default 10 000. */
  readonly maxEntries?: number;
  readonly now?: () => Date;
  /** The authn service's credential fingerprint (HMAC); computed once, when an outcome is stored. */
  readonly fingerprint?: (secret: string) => string;
  /** The fingerprint under every configured key, writing key first (the fingerprinter's `candidates`). */
  readonly candidates?: (secret: string) => readonly string[];
}

export const CACHE_DEFAULTS = { successTTLms: 10_000, failureTTLms: 0, maxEntries: 10_000 } as const;

export interface CacheStats {
  /** Answered from a stored entry. */
  readonly hits: number;
  /** Evaluated by the wrapped strategy. */
  readonly misses: number;
  /** Joined an evaluation already in flight for the same key. */
  readonly coalesced: number;
  /** Presented no credential, so the cache was not consulted. */
  readonly bypassed: number;
  readonly size: number;
}

export interface CachedStrategy extends ChainStrategy {
  stats(): CacheStats;
  clear(): void;
}

interface Entry {
  readonly result: ChainResult;
  readonly expiresAt: number;
}

export function cached(strategy: Strategy, options: Partial<CachedOptions> = {}): CachedStrategy {
  const successTTL = options.successTTLms ?? CACHE_DEFAULTS.successTTLms;
  const failureTTL = options.failureTTLms ?? CACHE_DEFAULTS.failureTTLms;
  const maxEntries = Math.max(0, options.maxEntries ?? CACHE_DEFAULTS.maxEntries);
  const now = options.now ?? systemClock;
  // A KeyObject: createHmac with a Buffer key costs Node 24 ~15 µs more per call (see secret-compare.ts).
  const processKey = createSecretKey(randomBytes(32));
  const trace = traceOf(strategy);
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<ChainResult>>();
  let hits = 0;
  let misses = 0;
  let coalesced = 0;
  let bypassed = 0;

  const ttlFor = (result: ChainResult, at: number): number => {
    const { outcome } = result;
    if (outcome.kind === 'authenticated') {
      const expires = outcome.credential.expiresAt?.getTime();
      return expires === undefined ? successTTL : Math.min(successTTL, expires - at);
    }
    return outcome.kind === 'rejected' ? failureTTL : 0;
  };

  const fingerprints: FingerprintFunctions | undefined = options.fingerprint ? { fingerprint: options.fingerprint, ...(options.candidates ? { candidates: options.candidates } : {}) } : undefined;
  /** The result as it is kept and shared: fingerprinted, without the secret. */
  const withoutSecret = (request: RequestView, result: ChainResult): ChainResult => {
    const { outcome } = result;
    if (!fingerprints || (outcome.kind !== 'authenticated' && outcome.kind !== 'rejected') || !outcome.credential?.secretForFingerprint) return result;
    const own = requestFingerprints(request, fingerprints);
    return { ...result, outcome: { ...outcome, credential: fingerprinted(outcome.credential, own.fingerprint, own.candidates) } };
  };

  const store = (request: RequestView, key: string, evaluated: ChainResult): ChainResult => {
    const at = now().getTime();
    const ttl = ttlFor(evaluated, at);
    if (ttl <= 0 || maxEntries === 0) return evaluated;
    const result: ChainResult = { ...withoutSecret(request, evaluated), cached: true };
    entries.delete(key);
    entries.set(key, { result, expiresAt: at + ttl });
    while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    return result;
  };

  const authenticateWithTrace = async (request: RequestView): Promise<ChainResult> => {
    const key = cacheKey(processKey, request, fingerprints);
    if (key === undefined) {
      bypassed++;
      return trace(request);
    }
    const entry = entries.get(key);
    if (entry) {
      if (entry.expiresAt > now().getTime()) {
        hits++;
        // Re-insert: Map order is the LRU order.
        entries.delete(key);
        entries.set(key, entry);
        return entry.result;
      }
      entries.delete(key);
    }
    const pending = inFlight.get(key);
    if (pending) {
      coalesced++;
      return pending;
    }
    misses++;
    const evaluation = trace(request).then(
      (result) => {
        inFlight.delete(key);
        return store(request, key, result);
      },
      (error: unknown) => {
        inFlight.delete(key);
        throw error;
      },
    );
    inFlight.set(key, evaluation);
    return evaluation;
  };

  return {
    id: strategy.id,
    authenticateWithTrace,
    authenticate: async (request) => (await authenticateWithTrace(request)).outcome,
    stats: () => ({ hits, misses, coalesced, bypassed, size: entries.size }),
    clear: () => entries.clear(),
    ...(strategy.close ? { close: strategy.close.bind(strategy) } : {}),
  };
}

/** `undefined` when the request carries no credential (nothing to key on). */
function cacheKey(processKey: KeyObject, request: RequestView, fingerprints: FingerprintFunctions | undefined): string | undefined {
  const authorization = request.headers['authorization'];
  if ((authorization === undefined || authorization === '') && request.peerCertificates.length === 0) return undefined;
  const header = authorization === undefined || !fingerprints ? undefined : parseAuthorizationHeader(authorization);
  // The common question, `Bearer <token>` alone, no certificate, no audiences: its own short key.
  // It has a space, which a base64 key has not, and does not start with `[` as a JSON key does.
  if (header?.kind === 'bearer' && fingerprints && authorization?.startsWith('Bearer ') && authorization.length === header.token.length + 7 && request.peerCertificates.length === 0 && request.audiences.length === 0) {
    return `bearer ${requestFingerprints(request, fingerprints).fingerprint(header.token)}`;
  }
  const certificates = request.peerCertificates.map((c) => createHash('sha256').update(c.raw).digest('hex'));
  if (header?.kind === 'bearer' && authorization !== undefined && fingerprints) {
    // The token is the header's last word: the text before and after it, with the token's
    // fingerprint between, stands for exactly this header.
    const at = authorization.lastIndexOf(header.token);
    const fingerprint = requestFingerprints(request, fingerprints).fingerprint(header.token);
    return JSON.stringify(['bearer', authorization.slice(0, at), fingerprint, authorization.slice(at + header.token.length), certificates, request.audiences]);
  }
  // JSON of an array is unambiguous: no two different inputs give the same string.
  const material = JSON.stringify([authorization ?? null, certificates, request.audiences]);
  return createHmac('sha256', processKey).update(material).digest('base64');
}
