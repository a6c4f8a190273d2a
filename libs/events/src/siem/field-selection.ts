import type { DecisionData } from '../decision.event';
import type { DroppableField, SelectedFields } from './siem-options';

/**
 * The personal fields of a decision that survive the operator's `drop` list. Pure; the mappers
 * read personal data only through this, so a dropped field is dropped in every format.
 */
export function selectFields(data: DecisionData, drop: readonly DroppableField[]): SelectedFields {
  const keep = (field: DroppableField): boolean => !drop.includes(field);
  const request = data.request;
  return {
    username: keep('username') ? data.user?.username : undefined,
    claimedUsername: keep('username') ? data.claimedUsername : undefined,
    uid: keep('uid') ? data.user?.uid : undefined,
    groups: keep('groups') ? data.user?.groups : undefined,
    extra: keep('extra') ? data.user?.extra : undefined,
    sourceIp: keep('sourceIp') ? request.sourceIp : undefined,
    forwardedFor: keep('sourceIp') ? request.forwardedFor : undefined,
    userAgent: keep('userAgent') ? request.userAgent : undefined,
    path: keep('path') ? request.path : undefined,
    message: keep('message') ? data.message : undefined,
    credentialSubject: keep('username') ? data.credential?.subject : undefined,
    certificateSubject: keep('username') ? data.credential?.x509?.subject : undefined,
  };
}

/** Drops `undefined` members so mapped documents carry only what is known (golden tests compare exactly). */
export function compact<T extends object>(value: T): T {
  const result: Record<string, unknown> = {};
  for (const key in value) {
    const member = value[key];
    if (member !== undefined) result[key] = member;
  }
  return result as T;
}

/** `undefined` for an empty list, so absent and empty look the same in the output. */
export function nonEmpty<T>(list: readonly T[] | undefined): readonly T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/**
 * The credential as the SIEM views carry it under the authtrail namespace, with the subject names
 * the field selection kept (dropped ones are absent). `x509` only where the view has no
 * certificate object of its own.
 */
export function credentialSummary(data: DecisionData, fields: SelectedFields, options: { readonly withX509: boolean }): Record<string, unknown> | undefined {
  const credential = data.credential;
  if (!credential) return undefined;
  return compact({
    type: credential.type,
    fingerprint: credential.fingerprint,
    publicId: credential.publicId,
    issuer: credential.issuer,
    subject: fields.credentialSubject,
    audiences: nonEmpty(credential.audiences),
    issuedAt: credential.issuedAt,
    expiresAt: credential.expiresAt,
    x509: options.withX509 && credential.x509 ? compact({ ...credential.x509, subject: fields.certificateSubject }) : undefined,
  });
}
