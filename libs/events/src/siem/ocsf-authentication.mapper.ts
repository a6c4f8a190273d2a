import { TOPICS, type DecisionEvent } from '../decision.event';
import { chainPositionOf } from './chain-position';
import { authProtocolOf } from './auth-protocol';
import { compact, credentialSummary, nonEmpty, selectFields } from './field-selection';
import { OCSF_AUTHENTICATION_CLASS_UID, OCSF_IAM_CATEGORY_UID, OCSF_VERSION, type OcsfAuthentication, type OcsfCertificate, type OcsfUser } from './ocsf.types';
import { decidingStrategy, severityOf } from './severity';
import type { SelectedFields, SiemMapOptions } from './siem-options';

// Every authtrail decision is one authentication of one request: activity 1 "Logon". The
// Kerberos ticket activities (3-5) describe issuing tickets, which authtrail never does; a
// TokenReview is still a logon attempt on behalf of the API server's client.
const LOGON = { id: 1, name: 'Logon' } as const;
// Credentials arrive over the network on every endpoint.
const NETWORK_LOGON = { id: 3, name: 'Network' } as const;

/** An `authtrail.authn.decision.v1` event as OCSF 1.8.0 Authentication (class_uid 3002). Pure. */
export function toOcsfAuthentication(event: DecisionEvent, options: SiemMapOptions): OcsfAuthentication {
  const data = event.data;
  const fields = selectFields(data, options.drop);
  const protocol = authProtocolOf(decidingStrategy(data));
  const severity = severityOf(data);
  const allowed = data.decision === 'allow';
  const credential = data.credential;
  return compact({
    activity_id: LOGON.id,
    activity_name: LOGON.name,
    category_uid: OCSF_IAM_CATEGORY_UID,
    category_name: 'Identity & Access Management',
    class_uid: OCSF_AUTHENTICATION_CLASS_UID,
    class_name: 'Authentication',
    type_uid: OCSF_AUTHENTICATION_CLASS_UID * 100 + LOGON.id,
    type_name: `Authentication: ${LOGON.name}`,
    severity_id: severity.id,
    severity: severity.name,
    status_id: allowed ? 1 : 2,
    status: allowed ? 'Success' : 'Failure',
    status_code: String(data.httpStatus),
    status_detail: data.reason,
    message: fields.message ?? (allowed ? 'Authentication succeeded' : `Authentication failed: ${data.reason}`),
    time: Date.parse(event.time),
    timezone_offset: 0,
    auth_protocol_id: protocol.id,
    auth_protocol: protocol.name,
    logon_type_id: NETWORK_LOGON.id,
    logon_type: NETWORK_LOGON.name,
    user: ocsfUser(fields, userType(data.user?.username ?? data.claimedUsername), data.claimedUsernameHash, credential?.fingerprint, credential?.type),
    service: compact({ name: options.product.name, uid: data.instance, labels: [`endpoint:${data.request.endpoint}`] }),
    src_endpoint: fields.sourceIp !== undefined ? compact({ ip: fields.sourceIp, intermediate_ips: nonEmpty(fields.forwardedFor) }) : undefined,
    http_request: ocsfHttpRequest(data.request.method, fields),
    certificate: credential?.x509 ? ocsfCertificate(credential.x509, fields.certificateSubject) : undefined,
    // Only stated when true (issue #10): a credential that crossed a non-TLS hop.
    is_cleartext: data.request.tls === false && credential !== undefined ? (true as const) : undefined,
    metadata: compact({
      version: OCSF_VERSION,
      product: { name: options.product.name, vendor_name: options.product.vendorName, version: options.product.version },
      uid: event.id,
      // The decision id clients see in X-Authtrail-Decision-Id: joins gateway logs to this event.
      correlation_uid: event.id,
      log_name: TOPICS.decisions,
      original_time: event.time,
      sequence: data.sequence,
      event_code: data.reason,
    }),
    unmapped: { authtrail: authtrailExtras(event, fields) },
  });
}

// The user type comes from the real name even when the name is dropped: it says "a service
// account", not which one.
function ocsfUser(fields: SelectedFields, type: { id: number; name: string }, claimedHash: string | undefined, fingerprint: string | undefined, credentialType: string | undefined): OcsfUser {
  const name = fields.username ?? fields.claimedUsername;
  // OCSF requires a user with a name or uid. With the name unknown or dropped for privacy, the
  // HMAC of the claimed name is a stable pseudonym; failing that the user is "unknown".
  const uid = fields.uid ?? (name === undefined ? claimedHash : undefined);
  return compact({
    name: name ?? (uid === undefined ? 'unknown' : undefined),
    uid,
    type_id: type.id,
    type: type.name,
    groups: nonEmpty(fields.groups?.map((g) => ({ name: g }))),
    credential_uid: fingerprint,
    programmatic_credentials: fingerprint !== undefined ? [{ uid: fingerprint, type: credentialType ?? 'unknown' }] : undefined,
  });
}

function userType(name: string | undefined): { id: number; name: string } {
  if (name === undefined) return { id: 0, name: 'Unknown' };
  if (name.startsWith('system:serviceaccount:')) return { id: 4, name: 'Service' };
  if (name === 'system:anonymous') return { id: 99, name: 'Anonymous' };
  if (name.startsWith('system:')) return { id: 3, name: 'System' };
  return { id: 1, name: 'User' };
}

function ocsfHttpRequest(method: string | undefined, fields: SelectedFields): OcsfAuthentication['http_request'] {
  const request = compact({
    http_method: method,
    url: fields.path !== undefined ? { path: fields.path } : undefined,
    user_agent: fields.userAgent,
    x_forwarded_for: nonEmpty(fields.forwardedFor),
  });
  return Object.keys(request).length > 0 ? request : undefined;
}

function ocsfCertificate(x509: NonNullable<NonNullable<DecisionEvent['data']['credential']>['x509']>, subject: string | undefined): OcsfCertificate {
  return compact({
    issuer: x509.issuer,
    serial_number: x509.serial,
    subject,
    created_time: Date.parse(x509.notBefore),
    expiration_time: Date.parse(x509.notAfter),
    fingerprints: [{ algorithm_id: 3, algorithm: 'SHA-256', value: x509.sha256 }],
  });
}

/** What OCSF has no attribute for, under `unmapped.authtrail` (the source-specific convention). */
function authtrailExtras(event: DecisionEvent, fields: SelectedFields): Record<string, unknown> {
  const data = event.data;
  return compact({
    decision: data.decision,
    reason: data.reason,
    strategy: data.strategy,
    endpoint: data.request.endpoint,
    tls: data.request.tls,
    attempts: data.attempts,
    claimedUsernameHash: data.claimedUsernameHash,
    // metadata.sequence counts per boot: the boot says which run it belongs to.
    boot: data.boot,
    dropped: data.dropped,
    normalized: data.normalized,
    extra: fields.extra && Object.keys(fields.extra).length > 0 ? fields.extra : undefined,
    credential: credentialSummary(data, fields, { withX509: false }),
    policy: data.policy,
    latencyMicros: data.latencyMicros,
    instance: data.instance,
    source: event.source,
    chain: chainPositionOf(event),
  });
}
