import type { SqlRunner } from './data-source';
import { CREDENTIAL_COLUMNS, type CredentialEntity } from './entities/credential.entity';
import { DECISION_COLUMNS, type DecisionEntity } from './entities/decision.entity';
import { IDENTITY_COLUMNS, type IdentityEntity } from './entities/identity.entity';
import { requireKey } from './require-key';
import { selectList } from './table-sql';

// Point lookups by key, every column, in the entity's own shape. They refuse a missing key
// instead of returning an arbitrary row.

const all = <K extends string>(columns: { readonly [P in K]: unknown }): K[] => Object.keys(columns) as K[];
const IDENTITY_SELECT = selectList(IDENTITY_COLUMNS, all(IDENTITY_COLUMNS));
const CREDENTIAL_SELECT = selectList(CREDENTIAL_COLUMNS, all(CREDENTIAL_COLUMNS));
const DECISION_SELECT = selectList(DECISION_COLUMNS, all(DECISION_COLUMNS));

export async function findIdentity(db: SqlRunner, username: string | undefined): Promise<IdentityEntity | null> {
  const rows = await db.query<IdentityEntity[]>(`SELECT ${IDENTITY_SELECT} FROM identity WHERE username = $1`, [requireKey('username', username)]);
  return rows[0] ?? null;
}

export async function findCredential(db: SqlRunner, fingerprint: string | undefined): Promise<CredentialEntity | null> {
  const rows = await db.query<CredentialEntity[]>(`SELECT ${CREDENTIAL_SELECT} FROM credential WHERE fingerprint = $1`, [
    requireKey('fingerprint', fingerprint),
  ]);
  return rows[0] ?? null;
}

export async function findDecision(db: SqlRunner, id: string | undefined): Promise<DecisionEntity | null> {
  const key = requireKey('id', id);
  // Not a UUID: no such decision (and no cast error from Postgres).
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key)) return null;
  const rows = await db.query<DecisionEntity[]>(`SELECT ${DECISION_SELECT} FROM decision WHERE id = $1`, [key]);
  return rows[0] ?? null;
}
