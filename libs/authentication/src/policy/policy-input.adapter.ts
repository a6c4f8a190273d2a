import type { PolicyInput as PurePolicyInput } from '@authtrail/policy';
import type { PolicyInput } from '../policy-hook';

/** What the chain produced, as libs/policy sees it: the decision, the user, the credential, no secret. */
export function toPolicyInput(input: PolicyInput): PurePolicyInput {
  const { outcome, request } = input;
  const credential = outcome.kind === 'authenticated' || outcome.kind === 'rejected' ? outcome.credential : undefined;
  return {
    decision: outcome.kind === 'authenticated' ? 'allow' : 'deny',
    ...(input.strategy !== undefined ? { strategy: input.strategy } : {}),
    ...(outcome.kind === 'authenticated' ? { user: outcome.user } : {}),
    ...(credential
      ? {
          credential: {
            type: credential.type,
            ...(input.credentialFingerprint ? { fingerprint: input.credentialFingerprint } : {}),
            ...(input.credentialFingerprints ? { fingerprints: input.credentialFingerprints } : {}),
            ...(credential.publicId !== undefined ? { publicId: credential.publicId } : {}),
            ...(credential.issuer !== undefined ? { issuer: credential.issuer } : {}),
            ...(credential.issuedAt ? { issuedAt: credential.issuedAt } : {}),
            ...(credential.expiresAt ? { expiresAt: credential.expiresAt } : {}),
            ...(credential.x509 ? { x509: credential.x509 } : {}),
            ...(credential.passwordStorage ? { passwordStorage: credential.passwordStorage } : {}),
            ...(credential.legacyToken ? { legacyToken: true } : {}),
          },
        }
      : {}),
    request: { endpoint: input.endpoint, sourceIp: request.sourceIp, tls: request.tls },
  };
}
