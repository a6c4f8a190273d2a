import type { ControlEvent, DecisionEvent } from '../decision.event';
import { chainPositionOf } from './chain-position';
import { authProtocolOf } from './auth-protocol';
import { summarizeControl, type ControlSummary } from './control-summary';
import { ECS_VERSION, type EcsDocument, type EcsEvent } from './ecs.types';
import { compact, credentialSummary, nonEmpty, selectFields } from './field-selection';
import { decidingStrategy, severityOf } from './severity';
import type { SiemMapOptions } from './siem-options';

/** A decision event as one ECS document (Elastic `logs-*` NDJSON). Pure. */
export function toEcsDecision(event: DecisionEvent, options: SiemMapOptions): EcsDocument {
  const data = event.data;
  const fields = selectFields(data, options.drop);
  const allowed = data.decision === 'allow';
  const credential = data.credential;
  const strategy = decidingStrategy(data);
  const name = fields.username ?? fields.claimedUsername;
  const hashes = [credential?.fingerprint, data.claimedUsernameHash, credential?.x509?.sha256].filter(isString);
  const ips = [fields.sourceIp, ...(fields.forwardedFor ?? [])].filter(isString);
  return compact({
    '@timestamp': event.time,
    message: fields.message ?? (allowed ? 'Authentication succeeded' : `Authentication failed: ${data.reason}`),
    ecs: { version: ECS_VERSION },
    event: compact({
      kind: 'event' as const,
      category: ['authentication' as const],
      // ECS: `start` for a successful logon that begins access, `info` for a refused attempt.
      type: [allowed ? ('start' as const) : ('info' as const)],
      outcome: allowed ? ('success' as const) : ('failure' as const),
      reason: data.reason,
      id: event.id,
      action: `authentication-${data.decision}`,
      module: 'authtrail' as const,
      dataset: 'authtrail.decision' as const,
      severity: severityOf(data).id,
      duration: data.latencyMicros !== undefined ? data.latencyMicros * 1000 : undefined,
      provider: strategy,
    }),
    observer: observer(options),
    service: { name: `${options.product.name}-authn`, node: { name: data.instance } },
    // ECS `user.hash`: the user in anonymised form, for the names that are only kept hashed.
    user: emptyToUndefined(compact({ name, id: fields.uid, roles: nonEmpty(fields.groups), hash: data.claimedUsernameHash })),
    source: fields.sourceIp !== undefined ? { ip: fields.sourceIp, address: fields.sourceIp } : undefined,
    user_agent: fields.userAgent !== undefined ? { original: fields.userAgent } : undefined,
    http: compact({
      request: data.request.method !== undefined ? { method: data.request.method } : undefined,
      response: { status_code: data.httpStatus },
    }),
    url: fields.path !== undefined ? { path: fields.path } : undefined,
    tls: data.request.tls !== undefined ? compact({ established: data.request.tls, client: credential?.x509 ? { hash: { sha256: credential.x509.sha256 } } : undefined }) : undefined,
    related: emptyToUndefined(compact({ user: nonEmpty(name !== undefined ? [name] : []), ip: nonEmpty(ips), hash: nonEmpty(hashes) })),
    Authtrail: compact({
      decision: data.decision,
      reason: data.reason,
      strategy,
      authProtocol: authProtocolOf(strategy).name,
      endpoint: data.request.endpoint,
      httpStatus: data.httpStatus,
      attempts: data.attempts,
      claimedUsernameHash: data.claimedUsernameHash,
      extra: fields.extra && Object.keys(fields.extra).length > 0 ? fields.extra : undefined,
      credential: credentialSummary(data, fields, { withX509: true }),
      policy: data.policy,
      instance: data.instance,
      boot: data.boot,
      sequence: data.sequence,
      dropped: data.dropped,
      normalized: data.normalized,
      chain: chainPositionOf(event),
    }),
  });
}

/** A control event as an ECS `configuration` document. Pure. */
export function toEcsControl(event: ControlEvent, options: SiemMapOptions): EcsDocument {
  const summary = summarizeControl(event, options.drop);
  return compact({
    '@timestamp': event.time,
    message: summary.message,
    ecs: { version: ECS_VERSION },
    event: {
      kind: 'event' as const,
      category: [controlCategory(summary.action)],
      type: [controlType(summary)],
      id: event.id,
      action: summary.action,
      module: 'authtrail' as const,
      dataset: 'authtrail.control' as const,
      severity: summary.severity.id,
    },
    observer: observer(options),
    user: summary.actor !== undefined ? { name: summary.actor } : undefined,
    related: summary.actor !== undefined ? { user: [summary.actor] } : undefined,
    Authtrail: compact({ type: event.type, ...summary.details, chain: chainPositionOf(event) }),
  });
}

// ECS categories: a policy is configuration, a revocation is IAM, a producer status and an
// integrity checkpoint are about the producing process (started, running, ended; what it signed).
function controlCategory(action: ControlSummary['action']): EcsEvent['category'][number] {
  return action === 'policy-applied' ? 'configuration' : action === 'producer-status' || action === 'integrity-checkpoint' ? 'process' : 'iam';
}

function controlType(summary: ControlSummary): EcsEvent['type'][number] {
  if (summary.action === 'credential-revoked') return 'deletion';
  if (summary.action === 'integrity-checkpoint') return 'info';
  if (summary.action !== 'producer-status') return 'change';
  return summary.details['state'] === 'running' ? 'info' : 'end';
}

function observer(options: SiemMapOptions): EcsDocument['observer'] {
  return { vendor: options.product.vendorName, product: options.product.name, version: options.product.version, type: 'authentication' };
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}

function emptyToUndefined<T extends object>(value: T): T | undefined {
  return Object.keys(value).length > 0 ? value : undefined;
}
