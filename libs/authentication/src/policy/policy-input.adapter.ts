import type { PolicyInput as PurePolicyInput } from '@authtrail/policy';
import type { PolicyInput } from '../policy-hook';
import type { Mutable } from '../mutable';

type PolicyCredential = NonNullable<PurePolicyInput['credential']>;

/** What the chain produced, as libs/policy sees it: the decision, the user, the credential, no secret. */
export function toPolicyInput(input: PolicyInput): PurePolicyInput {
  const { outcome, request } = input;
  // Member by member (asked on every decision): no spread temporaries.
  const policyInput = { decision: outcome.kind === 'authenticated' ? 'allow' : 'deny' } as Mutable<PurePolicyInput>;
  if (input.strategy !== undefined) policyInput.strategy = input.strategy;
  if (outcome.kind === 'authenticated') policyInput.user = outcome.user;
  const credential = outcome.kind === 'authenticated' || outcome.kind === 'rejected' ? outcome.credential : undefined;
  if (credential) {
    const described: Mutable<PolicyCredential> = { type: credential.type };
    if (input.credentialFingerprint) described.fingerprint = input.credentialFingerprint;
    if (input.credentialFingerprints) described.fingerprints = input.credentialFingerprints;
    if (credential.publicId !== undefined) described.publicId = credential.publicId;
    if (credential.issuer !== undefined) described.issuer = credential.issuer;
    if (credential.issuedAt) described.issuedAt = credential.issuedAt;
    if (credential.expiresAt) described.expiresAt = credential.expiresAt;
    if (credential.x509) described.x509 = credential.x509;
    if (credential.passwordStorage) described.passwordStorage = credential.passwordStorage;
    if (credential.legacyToken) described.legacyToken = true;
    policyInput.credential = described;
  }
  policyInput.request = { endpoint: input.endpoint, sourceIp: request.sourceIp, tls: request.tls };
  return policyInput;
}
