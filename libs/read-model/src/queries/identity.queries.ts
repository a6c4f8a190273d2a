// Read side of the `identity` table: one row per username.
import { IDENTITY_COLUMNS, type IdentityEntity, type IdentityKind } from '../entities/identity.entity';
import { selectList } from '../table-sql';
import { type Page, type PageRequest, assertPageSize, toPage } from './keyset';
import { SqlParams, likePrefix, whereClause } from './sql-params';
import { requireKey } from '../require-key';
import { type QueryRunnerLike, selectRows } from './sql-runner';

export type IdentityKindValue = IdentityKind;

export interface IdentityQueryFilter {
  readonly kinds?: readonly IdentityKindValue[];
  readonly username?: string;
  readonly usernamePrefix?: string;
  readonly strategies?: readonly string[];
  readonly group?: string;
  readonly lastSeenFrom?: Date;
  readonly lastSeenTo?: Date;
  readonly hasFailures?: boolean;
}

/** The identity row as stored, minus the merge bookkeeping. */
export type IdentityView = Omit<IdentityEntity, 'lastEventId'>;

const IDENTITY_VIEW_FIELDS = (Object.keys(IDENTITY_COLUMNS) as (keyof IdentityEntity)[]).filter((k) => k !== 'lastEventId');
const IDENTITY_COLUMNS_SQL = selectList(IDENTITY_COLUMNS, IDENTITY_VIEW_FIELDS);

export function identityConditions(filter: IdentityQueryFilter, params: SqlParams): string[] {
  const c: string[] = [];
  if (filter.kinds?.length) c.push(`kind = ANY(${params.add(filter.kinds, 'kinds')}::text[])`);
  if (filter.username !== undefined) c.push(`username = ${params.add(filter.username, 'username')}`);
  if (filter.usernamePrefix !== undefined) c.push(`username LIKE ${params.add(likePrefix(filter.usernamePrefix), 'usernamePrefix')}`);
  if (filter.strategies?.length) c.push(`strategies && ${params.add(filter.strategies, 'strategies')}::text[]`);
  if (filter.group !== undefined) c.push(`${params.add(filter.group, 'group')} = ANY(groups)`);
  if (filter.lastSeenFrom) c.push(`last_seen >= ${params.add(filter.lastSeenFrom, 'lastSeenFrom')}`);
  if (filter.lastSeenTo) c.push(`last_seen < ${params.add(filter.lastSeenTo, 'lastSeenTo')}`);
  if (filter.hasFailures !== undefined) c.push(filter.hasFailures ? 'failure_count > 0' : 'failure_count = 0');
  return c;
}

/** Most recently seen first, keyset on (last_seen, username). */
export async function findIdentities(db: QueryRunnerLike, filter: IdentityQueryFilter, page: PageRequest): Promise<Page<IdentityView>> {
  assertPageSize(page.first);
  const params = new SqlParams();
  const conditions = identityConditions(filter, params);
  if (page.after) conditions.push(`(last_seen, username) < (${params.add(page.after.time, 'after.time')}, ${params.add(page.after.key, 'after.key')})`);
  const rows = await selectRows<IdentityView>(
    db,
    `SELECT ${IDENTITY_COLUMNS_SQL} FROM identity ${whereClause(conditions)}
     ORDER BY last_seen DESC, username DESC LIMIT ${params.add(page.first + 1, 'limit')}`,
    params.values,
  );
  return toPage(rows, page.first);
}

export async function countIdentities(db: QueryRunnerLike, filter: IdentityQueryFilter): Promise<number> {
  const params = new SqlParams();
  const rows = await selectRows<{ n: number }>(db, `SELECT count(*)::float8 AS n FROM identity ${whereClause(identityConditions(filter, params))}`, params.values);
  return rows[0]?.n ?? 0;
}

/** One query for any number of usernames (DataLoader batch function); unknown names are absent. */
export async function findIdentitiesByUsernames(db: QueryRunnerLike, usernames: readonly string[]): Promise<readonly IdentityView[]> {
  usernames.forEach((u, i) => requireKey(`usernames[${i}]`, u));
  if (usernames.length === 0) return [];
  return selectRows<IdentityView>(db, `SELECT ${IDENTITY_COLUMNS_SQL} FROM identity WHERE username = ANY($1::text[])`, [usernames]);
}
