// The per-credential throttle key (issue #15 item 6), computed from the request alone so a
// blocked credential is refused before any strategy runs:
//   Bearer T           → the fingerprint of T (the same value the decision event records for
//                        static, bootstrap and JWT tokens, so revoking and throttling name one key);
//   Basic user:pass    → `user:` + the keyed hash of the user name: password guessing against one
//                        account is counted whatever passwords are tried (the password never
//                        enters the key, so a typo'd password is not kept even as a hash);
//   anything else sent → the fingerprint of the whole header (malformed or unknown schemes);
//   no header          → none (client certificates are not guessable; the address still counts).
import { parseAuthorizationHeader, type RequestView } from '@authtrail/strategies';

export interface ThrottleKeyHashes {
  readonly fingerprint: (secret: string) => string;
  readonly usernameHash: (username: string) => string;
}

export function throttleKeyOf(request: RequestView, hashes: ThrottleKeyHashes): string | undefined {
  const raw = request.headers['authorization'];
  const header = parseAuthorizationHeader(raw);
  switch (header.kind) {
    case 'absent':
      return undefined;
    case 'bearer':
      return hashes.fingerprint(header.token);
    case 'basic':
      return `user:${hashes.usernameHash(header.username)}`;
    case 'malformed':
    case 'other':
      return hashes.fingerprint((raw ?? '').trim());
    default: {
      const unreachable: never = header;
      return unreachable;
    }
  }
}
