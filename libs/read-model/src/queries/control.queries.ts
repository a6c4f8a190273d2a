// Read side of the control events: `policy_version` and `revocation`.
import { POLICY_VERSION_COLUMNS, type PolicyVersionEntity } from '../entities/policy-version.entity';
import type { RevocationEntity } from '../entities/revocation.entity';
import { selectList } from '../table-sql';
import { type Page, type PageRequest, assertPageSize, toPage } from './keyset';
import { SqlParams, whereClause } from './sql-params';
import { requireKey } from '../require-key';
import { type QueryRunnerLike, selectRows } from './sql-runner';

/** The policy_version row as stored, minus its event id. */
export type PolicyVersionView = Omit<PolicyVersionEntity, 'eventId'>;

const POLICY_COLUMNS = selectList(POLICY_VERSION_COLUMNS, ['version', 'document', 'appliedBy', 'comment', 'appliedAt']);

/**
 * The version stored for `version` with the event that took it (compare-and-set: the first claim
 * in topic order), or undefined while the read model has not reached it.
 */
export async function findPolicyVersion(db: QueryRunnerLike, version: number): Promise<PolicyVersionEntity | undefined> {
  const rows = await selectRows<PolicyVersionEntity>(
    db,
    `SELECT ${selectList(POLICY_VERSION_COLUMNS, ['version', 'document', 'appliedBy', 'comment', 'appliedAt', 'eventId'])} FROM policy_version WHERE version = $1`,
    [version],
  );
  return rows[0];
}

export async function findCurrentPolicy(db: QueryRunnerLike): Promise<PolicyVersionView | undefined> {
  const rows = await selectRows<PolicyVersionView>(db, `SELECT ${POLICY_COLUMNS} FROM policy_version ORDER BY version DESC LIMIT 1`, []);
  return rows[0];
}

/** Newest version first; the keyset key is the version (`after.time` is ignored: versions are unique). */
export async function findPolicyVersions(db: QueryRunnerLike, page: PageRequest): Promise<Page<PolicyVersionView>> {
  assertPageSize(page.first);
  const params = new SqlParams();
  const conditions = page.after ? [`version < ${params.add(Number(page.after.key), 'after.key')}`] : [];
  const rows = await selectRows<PolicyVersionView>(
    db,
    `SELECT ${POLICY_COLUMNS} FROM policy_version ${whereClause(conditions)} ORDER BY version DESC LIMIT ${params.add(page.first + 1, 'limit')}`,
    params.values,
  );
  return toPage(rows, page.first);
}

export async function countPolicyVersions(db: QueryRunnerLike): Promise<number> {
  const rows = await selectRows<{ n: number }>(db, `SELECT count(*)::float8 AS n FROM policy_version`, []);
  return rows[0]?.n ?? 0;
}

export interface RevocationQueryFilter {
  /** Active = not lifted and not expired at `now`. */
  readonly active?: { readonly value: boolean; readonly now: Date };
  readonly fingerprint?: string;
  readonly jti?: string;
}

/** The revocation row as stored, with the API's names for its id and certificate fields. */
export type RevocationView = Omit<RevocationEntity, 'revocationId' | 'certSerial' | 'certIssuer'> & {
  readonly id: RevocationEntity['revocationId'];
  readonly certificateSerial: RevocationEntity['certSerial'];
  readonly certificateIssuer: RevocationEntity['certIssuer'];
};

const REVOCATION_COLUMNS = `revocation_id AS id, fingerprint, jti, cert_serial AS "certificateSerial", cert_issuer AS "certificateIssuer",
  reason, revoked_by AS "revokedBy", revoked_at AS "revokedAt", expires_at AS "expiresAt", lifted_at AS "liftedAt",
  lifted_by AS "liftedBy", lift_reason AS "liftReason", lift_event_id AS "liftEventId"`;

/** Revocations without a revocation time (lift seen before revoke) sort as oldest. */
const REVOKED_AT_ORDER = `coalesce(revoked_at, timestamptz 'epoch')`;

function revocationConditions(filter: RevocationQueryFilter, params: SqlParams): string[] {
  const c: string[] = [];
  if (filter.active) {
    const now = params.add(filter.active.now, 'now');
    const active = `(lifted_at IS NULL AND (expires_at IS NULL OR expires_at > ${now}))`;
    c.push(filter.active.value ? active : `NOT ${active}`);
  }
  if (filter.fingerprint !== undefined) c.push(`fingerprint = ${params.add(filter.fingerprint, 'fingerprint')}`);
  if (filter.jti !== undefined) c.push(`jti = ${params.add(filter.jti, 'jti')}`);
  return c;
}

export async function findRevocations(db: QueryRunnerLike, filter: RevocationQueryFilter, page: PageRequest): Promise<Page<RevocationView>> {
  assertPageSize(page.first);
  const params = new SqlParams();
  const conditions = revocationConditions(filter, params);
  if (page.after) {
    conditions.push(`(${REVOKED_AT_ORDER}, revocation_id) < (${params.add(page.after.time, 'after.time')}, ${params.add(page.after.key, 'after.key')})`);
  }
  const rows = await selectRows<RevocationView>(
    db,
    `SELECT ${REVOCATION_COLUMNS} FROM revocation ${whereClause(conditions)}
     ORDER BY ${REVOKED_AT_ORDER} DESC, revocation_id DESC LIMIT ${params.add(page.first + 1, 'limit')}`,
    params.values,
  );
  return toPage(rows, page.first);
}

export async function countRevocations(db: QueryRunnerLike, filter: RevocationQueryFilter): Promise<number> {
  const params = new SqlParams();
  const rows = await selectRows<{ n: number }>(db, `SELECT count(*)::float8 AS n FROM revocation ${whereClause(revocationConditions(filter, params))}`, params.values);
  return rows[0]?.n ?? 0;
}

export async function findRevocationById(db: QueryRunnerLike, id: string): Promise<RevocationView | undefined> {
  requireKey('id', id);
  const rows = await selectRows<RevocationView>(db, `SELECT ${REVOCATION_COLUMNS} FROM revocation WHERE revocation_id = $1`, [id]);
  return rows[0];
}
