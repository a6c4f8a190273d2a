// Read side of the `decision` table (DESIGN §5): one row per decision event, typed columns for
// the filters and the whole event in `payload` for the fields nobody filters on.
import type { DecisionAttempt, DecisionData, PolicyEffect } from '@authtrail/events';
import { type KeysetPosition, type Page, type PageRequest, assertPageSize, toPage } from './keyset';
import { SqlParams, likePrefix, whereClause } from './sql-params';
import { requireKey } from '../require-key';
import { type QueryRunnerLike, selectRows } from './sql-runner';

/** A source-address filter: one address, or a network matched with inet `<<=`. */
export type IpMatch = { readonly kind: 'exact'; readonly address: string } | { readonly kind: 'cidr'; readonly network: string };

/** Every field narrows (AND); list fields match any of their values. Absent = no condition. */
export interface DecisionQueryFilter {
  /** Inclusive. */
  readonly from?: Date;
  /** Exclusive. */
  readonly to?: Date;
  readonly decision?: 'allow' | 'deny';
  readonly reasons?: readonly string[];
  readonly strategies?: readonly string[];
  readonly username?: string;
  readonly usernamePrefix?: string;
  readonly sourceIp?: IpMatch;
  readonly credentialFingerprint?: string;
  readonly credentialTypes?: readonly string[];
  readonly endpoint?: string;
}

export interface DecisionView {
  readonly id: string;
  readonly time: Date;
  readonly decision: 'allow' | 'deny';
  readonly httpStatus: number;
  readonly reason: string;
  readonly message: string | null;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly usernameClaimed: boolean;
  readonly uid: string | null;
  readonly groups: readonly string[];
  readonly sourceIp: string | null;
  readonly forwardedFor: readonly string[];
  readonly userAgent: string | null;
  readonly endpoint: string | null;
  readonly method: string | null;
  readonly path: string | null;
  readonly tls: boolean | null;
  readonly credentialFingerprint: string | null;
  readonly credentialType: string | null;
  readonly credentialPublicId: string | null;
  readonly attempts: readonly DecisionAttempt[];
  readonly policyVersion: number | null;
  readonly policyEffects: readonly PolicyEffect[];
  readonly latencyMicros: number | null;
  readonly instance: string | null;
}

interface DecisionSqlRow {
  readonly id: string;
  readonly time: Date;
  readonly decision: 'allow' | 'deny';
  readonly http_status: number;
  readonly reason: string;
  readonly strategy: string | null;
  readonly username: string | null;
  readonly claimed: boolean;
  readonly groups: readonly string[];
  readonly source_ip: string | null;
  readonly user_agent: string | null;
  readonly endpoint: string | null;
  readonly credential_fingerprint: string | null;
  readonly credential_type: string | null;
  readonly policy_version: number | null;
  readonly instance: string | null;
  readonly payload: Partial<DecisionData> | null;
}

const DECISION_COLUMNS = `id, time, decision, http_status, reason, strategy, username, claimed, groups,
  host(source_ip) AS source_ip, user_agent, endpoint, credential_fingerprint, credential_type,
  policy_version, instance, payload`;

/** Typed columns win; the payload fills in what has no column. Pure. */
export function toDecisionView(row: DecisionSqlRow): DecisionView {
  const data = row.payload ?? {};
  return {
    id: row.id,
    time: row.time,
    decision: row.decision,
    httpStatus: row.http_status,
    reason: row.reason,
    message: data.message ?? null,
    strategy: row.strategy,
    username: row.username,
    usernameClaimed: row.claimed,
    uid: data.user?.uid ?? null,
    groups: row.groups ?? [],
    sourceIp: row.source_ip,
    forwardedFor: data.request?.forwardedFor ?? [],
    userAgent: row.user_agent,
    endpoint: row.endpoint,
    method: data.request?.method ?? null,
    path: data.request?.path ?? null,
    tls: data.request?.tls ?? null,
    credentialFingerprint: row.credential_fingerprint,
    credentialType: row.credential_type,
    credentialPublicId: data.credential?.publicId ?? null,
    attempts: data.attempts ?? [],
    policyVersion: row.policy_version,
    policyEffects: data.policy?.effects ?? [],
    latencyMicros: data.latencyMicros ?? null,
    instance: row.instance,
  };
}

/** The WHERE conditions of a decision filter, appended to `params`. Pure apart from `params`. */
export function decisionConditions(filter: DecisionQueryFilter, params: SqlParams): string[] {
  const c: string[] = [];
  if (filter.from) c.push(`time >= ${params.add(filter.from, 'from')}`);
  if (filter.to) c.push(`time < ${params.add(filter.to, 'to')}`);
  if (filter.decision) c.push(`decision = ${params.add(filter.decision, 'decision')}`);
  if (filter.reasons?.length) c.push(`reason = ANY(${params.add(filter.reasons, 'reasons')}::text[])`);
  if (filter.strategies?.length) c.push(`strategy = ANY(${params.add(filter.strategies, 'strategies')}::text[])`);
  if (filter.username !== undefined) c.push(`username = ${params.add(filter.username, 'username')}`);
  if (filter.usernamePrefix !== undefined) c.push(`username LIKE ${params.add(likePrefix(filter.usernamePrefix), 'usernamePrefix')}`);
  if (filter.sourceIp) {
    c.push(
      filter.sourceIp.kind === 'exact'
        ? `source_ip = ${params.add(filter.sourceIp.address, 'sourceIp')}::inet`
        : `source_ip <<= ${params.add(filter.sourceIp.network, 'sourceIp')}::cidr`,
    );
  }
  if (filter.credentialFingerprint !== undefined) c.push(`credential_fingerprint = ${params.add(filter.credentialFingerprint, 'credentialFingerprint')}`);
  if (filter.credentialTypes?.length) c.push(`credential_type = ANY(${params.add(filter.credentialTypes, 'credentialTypes')}::text[])`);
  if (filter.endpoint !== undefined) c.push(`endpoint = ${params.add(filter.endpoint, 'endpoint')}`);
  return c;
}

/** Newest first, keyset on (time, id). */
export async function findDecisions(db: QueryRunnerLike, filter: DecisionQueryFilter, page: PageRequest): Promise<Page<DecisionView>> {
  assertPageSize(page.first);
  const params = new SqlParams();
  const conditions = decisionConditions(filter, params);
  if (page.after) conditions.push(afterCondition(page.after, params));
  const rows = await selectRows<DecisionSqlRow>(
    db,
    `SELECT ${DECISION_COLUMNS} FROM decision ${whereClause(conditions)}
     ORDER BY time DESC, id DESC LIMIT ${params.add(page.first + 1, 'limit')}`,
    params.values,
  );
  return toPage(rows.map(toDecisionView), page.first);
}

export async function countDecisions(db: QueryRunnerLike, filter: DecisionQueryFilter): Promise<number> {
  const params = new SqlParams();
  const rows = await selectRows<{ n: number }>(db, `SELECT count(*)::float8 AS n FROM decision ${whereClause(decisionConditions(filter, params))}`, params.values);
  return rows[0]?.n ?? 0;
}

export async function findDecisionById(db: QueryRunnerLike, id: string): Promise<DecisionView | undefined> {
  requireKey('id', id);
  // Not a uuid: no such decision (and no cast error from Postgres).
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
  const rows = await selectRows<DecisionSqlRow>(db, `SELECT ${DECISION_COLUMNS} FROM decision WHERE id = $1 LIMIT 1`, [id]);
  return rows[0] ? toDecisionView(rows[0]) : undefined;
}

/**
 * Decisions projected at or after `since` (by event time), oldest first, for the live feed.
 * Late events older than `since` are not returned: the feed is "live", history is `decisions`.
 */
export async function findDecisionsSince(db: QueryRunnerLike, since: Date, limit: number): Promise<readonly DecisionView[]> {
  requireKey('since', since);
  assertPageSize(limit);
  const rows = await selectRows<DecisionSqlRow>(
    db,
    `SELECT ${DECISION_COLUMNS} FROM decision WHERE time >= $1 ORDER BY time ASC, id ASC LIMIT $2`,
    [since, limit],
  );
  return rows.map(toDecisionView);
}

function afterCondition(after: KeysetPosition, params: SqlParams): string {
  return `(time, id) < (${params.add(after.time, 'after.time')}, ${params.add(after.key, 'after.key')}::uuid)`;
}
