// `basic-auth` (DESIGN §3.2). Reason codes: a wrong password and an unknown user are both
// `invalid_password` with the same message: the reason is returned to the caller, and a distinct
// code for unknown users would undo the dummy-hash protection against user enumeration.
// Unreadable Basic credentials: `malformed_credentials`; KDF queue full: `throttled`.
//
// What a failure says about the name (issue #14): a name in the password file is an account,
// so it is the `claimedUsername` (kept in clear); any other name is only `typedUsername` —
// people type their password into the user field, so it is hashed by the authn service and
// never stored. Failures carry no `credential.subject` for the same reason.
import { authorizationOf } from '../http/authorization-header';
import { loadAndWatch } from '../shared/file-reloader';
import { createSecretHasher } from '../shared/secret-compare';
import { createSemaphore } from '../shared/semaphore';
import { silentLogger, type StrategyDeps } from '../shared/strategy-deps';
import type { AuthOutcome, RequestView, Strategy } from '../strategy';
import { BASIC_AUTH_DEFAULTS, type BasicAuthConfig } from './basic-auth.config';
import { parsePasswordFile } from './password-file.parser';
import { verifyPassword } from './password-hash';

export interface BasicAuthStrategy extends Strategy {
  /** KDF slots in use and waiters, for metrics. */
  hashing(): { readonly active: number; readonly queued: number };
}

/** Test seam: the password verifier (tests count which scheme ran for a name). */
export interface BasicAuthInternals {
  readonly verify?: typeof verifyPassword;
}

export async function createBasicAuthStrategy(config: BasicAuthConfig, deps: StrategyDeps = {}, internals: BasicAuthInternals = {}): Promise<BasicAuthStrategy> {
  const verify = internals.verify ?? verifyPassword;
  const hasher = createSecretHasher();
  const logger = deps.logger ?? silentLogger;
  const semaphore = createSemaphore(
    config.maxConcurrentHashes ?? BASIC_AUTH_DEFAULTS.maxConcurrentHashes,
    config.maxQueuedHashes ?? BASIC_AUTH_DEFAULTS.maxQueuedHashes,
  );
  const table = await loadAndWatch({
    file: config.passwordFile,
    label: 'basic-auth',
    parse: (text) => parsePasswordFile(text, hasher),
    logger,
    intervalMs: config.reloadIntervalMs ?? BASIC_AUTH_DEFAULTS.reloadIntervalMs,
  });

  const authenticate = async (request: RequestView): Promise<AuthOutcome> => {
    const header = authorizationOf(request.headers);
    if (header.kind === 'malformed' && header.scheme === 'basic') {
      return { kind: 'rejected', reason: 'malformed_credentials', message: header.problem };
    }
    if (header.kind !== 'basic') return { kind: 'abstained' };
    const { username, password } = header;
    const { users, dummyFor } = table.current();
    const user = users.get(username);
    // An unknown name costs what a known one costs (see PasswordTable.dummyFor).
    const stored = user?.password ?? dummyFor(username);
    // Known account → its name in clear; unknown → typed, hashed only (see the header).
    const named = user ? { claimedUsername: username } : { typedUsername: username };
    const invalid: AuthOutcome = {
      kind: 'rejected',
      reason: 'invalid_password',
      message: 'invalid user name or password',
      credential: { type: 'basic-auth' },
      ...named,
    };

    let matches: boolean;
    if (stored.scheme === 'plaintext') {
      matches = await verify(stored, password, hasher);
    } else {
      const permit = await semaphore.acquire();
      if (permit.kind === 'queue-full') {
        return { kind: 'rejected', reason: 'throttled', message: 'too many password checks in progress; retry later', ...named };
      }
      try {
        matches = await verify(stored, password, hasher);
      } catch {
        logger.error({ strategy: 'basic-auth', line: user?.line }, 'password hash could not be verified');
        return { kind: 'errored', reason: 'internal_error', message: 'password hash could not be verified' };
      } finally {
        permit.release();
      }
    }
    if (!user || !matches) return invalid;
    return {
      kind: 'authenticated',
      user: { username: user.username, ...(user.uid !== '' ? { uid: user.uid } : {}), groups: user.groups, extra: {} },
      credential: {
        type: 'basic-auth',
        // The pair identifies the credential; only successes carry it (attempted passwords are not fingerprinted).
        secretForFingerprint: `${username}:${password}`,
        publicId: username,
        subject: username,
        passwordStorage: user.password.scheme,
      },
    };
  };

  return {
    id: 'basic-auth',
    authenticate,
    hashing: () => ({ active: semaphore.active, queued: semaphore.queued }),
    close: () => table.close(),
  };
}
