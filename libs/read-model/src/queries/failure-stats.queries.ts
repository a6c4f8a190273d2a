// Failure statistics from `failure_bucket` (per minute × source IP, reason, strategy, username,
// credential, username hash) and its rollup per hour and per UTC day and dimension
// (`failure_rollup`, kept by triggers): a window reads whole days and hours from the rollup and
// only its partial hours' minutes from the buckets, so a 30-day window reads about 30 × (distinct
// keys a day) rows instead of 43,200 minutes of buckets. Windows count whole minutes: the minute
// containing `since` is included.
import { failureWindowParts, type TimeRange } from './failure-window';
import { SqlParams } from './sql-params';
import { requireKey } from '../require-key';
import { type QueryRunnerLike, selectRows } from './sql-runner';

export type FailureDimension = 'source_ip' | 'reason' | 'strategy' | 'username' | 'credential';

/** The column of each dimension; the only strings interpolated into these queries. */
const DIMENSION_SQL: Readonly<Record<FailureDimension, string>> = {
  source_ip: 'source_ip',
  reason: 'reason',
  strategy: 'strategy',
  username: 'username',
  credential: 'credential_fingerprint',
};

export interface FailureStatsQuery {
  readonly since: Date;
  /** Exclusive; absent: up to now. */
  readonly until?: Date;
  readonly groupBy: FailureDimension;
  readonly limit: number;
}

export interface FailureGroupView {
  /** The dimension's value; for `username` the authenticated or clear claimed name (null: none in clear). */
  readonly key: string | null;
  /**
   * `username` grouping only, when `key` is null: the keyed hash of a typed name that is never
   * stored in clear, one group per hash. Null for a name known in clear and for other groupings.
   */
  readonly usernameHash: string | null;
  readonly count: number;
  readonly firstSeen: Date;
  readonly lastSeen: Date;
}

export interface FailureSeriesPoint {
  readonly key: string | null;
  /** As in FailureGroupView: set for the `username` grouping only; match points to groups by (key, usernameHash). */
  readonly usernameHash: string | null;
  readonly start: Date;
  readonly count: number;
}

function windowConditions(query: Pick<FailureStatsQuery, 'since' | 'until'>, params: SqlParams): string[] {
  const c = [`minute >= date_trunc('minute', ${params.add(requireKey('since', query.since), 'since')}::timestamptz)`];
  if (query.until) c.push(`minute < ${params.add(query.until, 'until')}`);
  return c;
}

/** The key as text for the API: inet through host() (no /32 suffix), the rest as they are. */
function keyText(groupBy: FailureDimension, expression: string): string {
  return groupBy === 'source_ip' ? `host(${expression})` : expression;
}

/**
 * `username` groups a name known in clear by the name alone (a policy refusal of an authenticated
 * user carries no hash, a wrong password for that account does: one group), and a name never
 * stored by its hash; every other dimension by itself.
 */
function hashSql(groupBy: FailureDimension): string {
  return groupBy === 'username' ? 'CASE WHEN username IS NULL THEN username_hash END' : 'NULL::text';
}

function dimensionSql(groupBy: FailureDimension): string {
  const sql = DIMENSION_SQL[groupBy];
  if (!sql) throw new RangeError(`unknown failure dimension ${String(groupBy)}`);
  return sql;
}

/** Largest count first; ties by key (then username hash). */
export async function failureStats(db: QueryRunnerLike, query: FailureStatsQuery): Promise<readonly FailureGroupView[]> {
  const key = dimensionSql(query.groupBy);
  const params = new SqlParams();
  const columns = `${key} AS key, ${hashSql(query.groupBy)} AS hash, count, first_seen, last_seen`;
  const within = (column: string, range: TimeRange): string =>
    `${column} >= ${params.add(new Date(range.from), 'from')}${range.to === undefined ? '' : ` AND ${column} < ${params.add(new Date(range.to), 'to')}`}`;
  const parts = failureWindowParts(requireKey('since', query.since), query.until);
  // Only when the rollup is read: an unused parameter has no type.
  const dimension = parts.hours.length + parts.days.length > 0 ? params.add(query.groupBy, 'dimension') : '';
  const selects = [
    ...parts.minutes.map((range) => `SELECT ${columns} FROM failure_bucket WHERE ${within('minute', range)}`),
    ...parts.hours.map((range) => `SELECT ${columns} FROM failure_rollup WHERE dimension = ${dimension} AND grain = 'hour' AND ${within('start', range)}`),
    ...parts.days.map((range) => `SELECT ${columns} FROM failure_rollup WHERE dimension = ${dimension} AND grain = 'day' AND ${within('start', range)}`),
  ];
  return selectRows<FailureGroupView>(
    db,
    `SELECT key, hash AS "usernameHash", sum(count)::float8 AS count, min(first_seen) AS "firstSeen", max(last_seen) AS "lastSeen"
     FROM (${selects.join('\n     UNION ALL ')}) AS parts
     GROUP BY 1, 2 ORDER BY 3 DESC, 1 ASC NULLS LAST, 2 ASC NULLS LAST LIMIT ${params.add(query.limit, 'limit')}`,
    params.values,
  );
}

/** Counts per `bucketSeconds` for the given keys (null = failures without that dimension), oldest first. */
export async function failureSeries(
  db: QueryRunnerLike,
  query: Pick<FailureStatsQuery, 'since' | 'until' | 'groupBy'>,
  keys: readonly (string | null)[],
  bucketSeconds: number,
): Promise<readonly FailureSeriesPoint[]> {
  if (!Number.isInteger(bucketSeconds) || bucketSeconds < 60) throw new RangeError('bucket must be a whole number of minutes');
  if (keys.length === 0) return [];
  const key = dimensionSql(query.groupBy);
  const params = new SqlParams();
  const conditions = windowConditions(query, params);
  const named = keys.filter((k): k is string => k !== null);
  const keyType = query.groupBy === 'source_ip' ? 'inet' : 'text';
  const keyMatch = `(${key} = ANY(${params.add(named, 'keys')}::${keyType}[])${keys.includes(null) ? ` OR ${key} IS NULL` : ''})`;
  return selectRows<FailureSeriesPoint>(
    db,
    `SELECT ${keyText(query.groupBy, key)} AS key, ${hashSql(query.groupBy)} AS "usernameHash",
            date_bin(make_interval(secs => ${params.add(bucketSeconds, 'bucket')}), minute, timestamptz 'epoch') AS start,
            sum(count)::float8 AS count
     FROM failure_bucket WHERE ${conditions.join(' AND ')} AND ${keyMatch}
     GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
    params.values,
  );
}
