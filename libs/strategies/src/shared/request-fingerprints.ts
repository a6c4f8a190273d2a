// One HMAC per request (issue #19): the throttle key, the cache key and the decision event all
// name the presented credential by its fingerprint, and static-token finds its entry by it. The
// first of them to ask computes it; the others reuse it. The memo hangs off the request view, so
// it lives exactly as long as the request and nothing long-lived keeps the secret.
import type { RequestView } from '../strategy';

export interface FingerprintFunctions {
  /** The credential fingerprint under the writing key (HMAC-SHA256). */
  readonly fingerprint: (secret: string) => string;
  /** The fingerprint under every configured key, writing key first. */
  readonly candidates?: (secret: string) => readonly string[];
}

interface Memo {
  /** Whose fingerprints these are: a view asked under other functions gets a memo of its own. */
  readonly of: FingerprintFunctions;
  readonly functions: FingerprintFunctions;
}

// The memo rides on the view itself, a hidden member under a symbol: a WeakMap entry per request
// cost ≈ 1.7 µs in a hot loop against 0.45 (docs/authn.md, "Session 17"). Views that cannot be
// extended (frozen ones) keep theirs in a WeakMap.
const MEMO = Symbol('authtrail.requestFingerprints');
type MemoHolder = { [MEMO]?: Memo };
const memos = new WeakMap<RequestView, Memo>();

/** `functions` memoised for this request: asked twice for the same secret, they hash it once. */
export function requestFingerprints(view: RequestView, functions: FingerprintFunctions): FingerprintFunctions {
  const holder = view as MemoHolder;
  let memo = holder[MEMO] ?? memos.get(view);
  if (memo === undefined || memo.of.fingerprint !== functions.fingerprint || memo.of.candidates !== functions.candidates) {
    memo = { of: functions, functions: memoised(functions) };
    // Not enumerable: spreads, JSON, logs and equality checks never see it.
    if (Object.isExtensible(view)) Object.defineProperty(holder, MEMO, { value: memo, writable: true, configurable: true });
    else memos.set(view, memo);
  }
  return memo.functions;
}

function memoised({ fingerprint, candidates }: FingerprintFunctions): FingerprintFunctions {
  let secret: string | undefined;
  let fingerprints: readonly string[] = [];
  // With candidates, the writing key's fingerprint is their first entry: one HMAC per key in all.
  const all = (presented: string): readonly string[] => {
    if (presented !== secret) {
      fingerprints = candidates ? candidates(presented) : [fingerprint(presented)];
      secret = presented;
    }
    return fingerprints;
  };
  return { fingerprint: (presented) => all(presented)[0] ?? fingerprint(presented), ...(candidates ? { candidates: all } : {}) };
}
