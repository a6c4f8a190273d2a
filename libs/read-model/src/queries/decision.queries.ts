// Read side of the `decision` table (DESIGN §5): one row per decision event, typed columns for
// the filters and the whole CloudEvent in `payload`; the fields nobody filters on are read from
// `payload.data`.
import { chainPositionOf, type DecisionAttempt, type DecisionCaller, type NormalizedField, type PolicyEffect, type SiemChainPosition } from '@authtrail/events';
import { DECISION_COLUMNS, type DecisionEntity } from '../entities/decision.entity';
import { selectList } from '../table-sql';
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
  /**
   * Keyed hashes of a claimed name (`claimed_username_hash = ANY`): the caller hashes the name
   * with every configured key. An empty list is no condition, like every list here.
   */
  readonly claimedUsernameHashes?: readonly string[];
  readonly sourceIp?: IpMatch;
  readonly credentialFingerprint?: string;
  readonly credentialTypes?: readonly string[];
  readonly endpoint?: string;
  /** Exact subject of the caller's client certificate (`request.caller.certificate.subject`). */
  readonly callerSubject?: string;
}

/** The typed columns a decision view shows as they are stored (entities/decision.entity.ts). */
type DecisionColumnsShown =
  | 'id' | 'time' | 'decision' | 'httpStatus' | 'reason' | 'strategy' | 'username' | 'claimedUsernameHash' | 'groups' | 'sourceIp'
  | 'userAgent' | 'endpoint' | 'credentialFingerprint' | 'credentialType' | 'policyVersion' | 'instance' | 'boot' | 'sequence';

/** A decision for the API: its typed columns, plus what only `payload.data` holds. */
export interface DecisionView extends Pick<DecisionEntity, DecisionColumnsShown> {
  /** The `claimed` column: `username` is a name the credential claimed, not an authenticated one. */
  readonly usernameClaimed: boolean;
  readonly message: string | null;
  readonly uid: string | null;
  readonly forwardedFor: readonly string[];
  readonly method: string | null;
  readonly path: string | null;
  readonly tls: boolean | null;
  readonly credentialPublicId: string | null;
  readonly attempts: readonly DecisionAttempt[];
  readonly policyEffects: readonly PolicyEffect[];
  readonly latencyMicros: number | null;
  /** `data.normalized`: request strings the producer truncated or replaced; empty when none. */
  readonly normalizedFields: readonly NormalizedField[];
  /** `data.request.caller`: who sent the request (its certificate, its trusted proxies); null when nothing is known beyond `sourceIp`. */
  readonly caller: DecisionCaller | null;
  /** Where the event sits in its producer's hash chain (docs/integrity.md); null for an unchained event. */
  readonly chain: SiemChainPosition | null;
}

/** The stored row, every column, read into the entity's own shape. */
const DECISION_SELECT = selectList(DECISION_COLUMNS, Object.keys(DECISION_COLUMNS) as (keyof DecisionEntity)[]);

/** Typed columns win; `payload.data` fills in what has no column. Pure. */
export function toDecisionView(row: DecisionEntity): DecisionView {
  const data = row.payload.data;
  return {
    id: row.id,
    time: row.time,
    decision: row.decision,
    httpStatus: row.httpStatus,
    reason: row.reason,
    message: data.message ?? null,
    strategy: row.strategy,
    username: row.username,
    usernameClaimed: row.claimed,
    claimedUsernameHash: row.claimedUsernameHash,
    uid: data.user?.uid ?? null,
    groups: row.groups ?? [],
    sourceIp: row.sourceIp,
    forwardedFor: data.request.forwardedFor ?? [],
    userAgent: row.userAgent,
    endpoint: row.endpoint,
    method: data.request.method ?? null,
    path: data.request.path ?? null,
    tls: data.request.tls ?? null,
    credentialFingerprint: row.credentialFingerprint,
    credentialType: row.credentialType,
    credentialPublicId: data.credential?.publicId ?? null,
    attempts: data.attempts ?? [],
    policyVersion: row.policyVersion,
    policyEffects: data.policy?.effects ?? [],
    latencyMicros: data.latencyMicros ?? null,
    instance: row.instance,
    boot: row.boot,
    sequence: row.sequence,
    normalizedFields: data.normalized ?? [],
    caller: data.request.caller ?? null,
    chain: chainPositionOf(row.payload) ?? null,
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
  if (filter.claimedUsernameHashes?.length) {
    c.push(`claimed_username_hash = ANY(${params.add(filter.claimedUsernameHashes, 'claimedUsernameHashes')}::text[])`);
  }
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
  if (filter.callerSubject !== undefined) c.push(`caller_subject = ${params.add(filter.callerSubject, 'callerSubject')}`);
  return c;
}

/** Newest first, keyset on (time, id). */
export async function findDecisions(db: QueryRunnerLike, filter: DecisionQueryFilter, page: PageRequest): Promise<Page<DecisionView>> {
  assertPageSize(page.first);
  const params = new SqlParams();
  const conditions = decisionConditions(filter, params);
  if (page.after) conditions.push(afterCondition(page.after, params));
  const rows = await selectRows<DecisionEntity>(
    db,
    `SELECT ${DECISION_SELECT} FROM decision ${whereClause(conditions)}
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
  const rows = await selectRows<DecisionEntity>(db, `SELECT ${DECISION_SELECT} FROM decision WHERE id = $1 LIMIT 1`, [id]);
  return rows[0] ? toDecisionView(rows[0]) : undefined;
}

/**
 * Decisions projected at or after `since` (by event time), oldest first, for the live feed.
 * Late events older than `since` are not returned: the feed is "live", history is `decisions`.
 */
export async function findDecisionsSince(db: QueryRunnerLike, since: Date, limit: number): Promise<readonly DecisionView[]> {
  requireKey('since', since);
  assertPageSize(limit);
  const rows = await selectRows<DecisionEntity>(
    db,
    `SELECT ${DECISION_SELECT} FROM decision WHERE time >= $1 ORDER BY time ASC, id ASC LIMIT $2`,
    [since, limit],
  );
  return rows.map(toDecisionView);
}

function afterCondition(after: KeysetPosition, params: SqlParams): string {
  return `(time, id) < (${params.add(after.time, 'after.time')}, ${params.add(after.key, 'after.key')}::uuid)`;
}
