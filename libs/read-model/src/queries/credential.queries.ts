// Read side of the `credential` table: token usage per fingerprint.
import { CREDENTIAL_COLUMNS, type CredentialEntity } from '../entities/credential.entity';
import { selectList } from '../table-sql';
import { type Page, type PageRequest, assertPageSize, toPage } from './keyset';
import { SqlParams, likePrefix, whereClause } from './sql-params';
import { requireKey } from '../require-key';
import { type QueryRunnerLike, selectRows } from './sql-runner';

export interface CredentialQueryFilter {
  readonly types?: readonly string[];
  readonly strategies?: readonly string[];
  readonly username?: string;
  readonly usernamePrefix?: string;
  readonly fingerprint?: string;
  readonly publicId?: string;
  /** Stale: last used before this time. */
  readonly notUsedSince?: Date;
  /** Expires before this time (expired ones included); credentials without expiry never match. */
  readonly expiresBefore?: Date;
  /** More than this many distinct source IPs. */
  readonly minDistinctSourceIpsExclusive?: number;
  readonly revoked?: boolean;
}

/** The credential row as stored, minus the merge bookkeeping. */
export type CredentialView = Omit<CredentialEntity, 'lastEventId'>;

const CREDENTIAL_VIEW_FIELDS = (Object.keys(CREDENTIAL_COLUMNS) as (keyof CredentialEntity)[]).filter((k) => k !== 'lastEventId');
const CREDENTIAL_COLUMNS_SQL = selectList(CREDENTIAL_COLUMNS, CREDENTIAL_VIEW_FIELDS);

export function credentialConditions(filter: CredentialQueryFilter, params: SqlParams): string[] {
  const c: string[] = [];
  if (filter.types?.length) c.push(`type = ANY(${params.add(filter.types, 'types')}::text[])`);
  if (filter.strategies?.length) c.push(`strategy = ANY(${params.add(filter.strategies, 'strategies')}::text[])`);
  if (filter.username !== undefined) c.push(`username = ${params.add(filter.username, 'username')}`);
  if (filter.usernamePrefix !== undefined) c.push(`username LIKE ${params.add(likePrefix(filter.usernamePrefix), 'usernamePrefix')}`);
  if (filter.fingerprint !== undefined) c.push(`fingerprint = ${params.add(filter.fingerprint, 'fingerprint')}`);
  if (filter.publicId !== undefined) c.push(`public_id = ${params.add(filter.publicId, 'publicId')}`);
  if (filter.notUsedSince) c.push(`last_used < ${params.add(filter.notUsedSince, 'notUsedSince')}`);
  if (filter.expiresBefore) c.push(`expires_at < ${params.add(filter.expiresBefore, 'expiresBefore')}`);
  if (filter.minDistinctSourceIpsExclusive !== undefined) {
    c.push(`distinct_source_ips > ${params.add(filter.minDistinctSourceIpsExclusive, 'minDistinctSourceIpsExclusive')}`);
  }
  if (filter.revoked !== undefined) c.push(`revoked = ${params.add(filter.revoked, 'revoked')}`);
  return c;
}

/** Most recently used first, keyset on (last_used, fingerprint). */
export async function findCredentials(db: QueryRunnerLike, filter: CredentialQueryFilter, page: PageRequest): Promise<Page<CredentialView>> {
  assertPageSize(page.first);
  const params = new SqlParams();
  const conditions = credentialConditions(filter, params);
  if (page.after) conditions.push(`(last_used, fingerprint) < (${params.add(page.after.time, 'after.time')}, ${params.add(page.after.key, 'after.key')})`);
  const rows = await selectRows<CredentialView>(
    db,
    `SELECT ${CREDENTIAL_COLUMNS_SQL} FROM credential ${whereClause(conditions)}
     ORDER BY last_used DESC, fingerprint DESC LIMIT ${params.add(page.first + 1, 'limit')}`,
    params.values,
  );
  return toPage(rows, page.first);
}

export async function countCredentials(db: QueryRunnerLike, filter: CredentialQueryFilter): Promise<number> {
  const params = new SqlParams();
  const rows = await selectRows<{ n: number }>(db, `SELECT count(*)::float8 AS n FROM credential ${whereClause(credentialConditions(filter, params))}`, params.values);
  return rows[0]?.n ?? 0;
}

export async function findCredentialsByFingerprints(db: QueryRunnerLike, fingerprints: readonly string[]): Promise<readonly CredentialView[]> {
  fingerprints.forEach((f, i) => requireKey(`fingerprints[${i}]`, f));
  if (fingerprints.length === 0) return [];
  return selectRows<CredentialView>(db, `SELECT ${CREDENTIAL_COLUMNS_SQL} FROM credential WHERE fingerprint = ANY($1::text[])`, [fingerprints]);
}

/** Every credential of any of `usernames`, most recently used first, in one query. */
export async function findCredentialsByUsernames(db: QueryRunnerLike, usernames: readonly string[]): Promise<readonly CredentialView[]> {
  usernames.forEach((u, i) => requireKey(`usernames[${i}]`, u));
  if (usernames.length === 0) return [];
  return selectRows<CredentialView>(
    db,
    `SELECT ${CREDENTIAL_COLUMNS_SQL} FROM credential WHERE username = ANY($1::text[]) ORDER BY last_used DESC, fingerprint DESC`,
    [usernames],
  );
}
