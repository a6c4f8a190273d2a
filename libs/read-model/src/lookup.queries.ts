import type { SqlRunner } from './data-source';
import type { CredentialEntity, DecisionEntity, IdentityEntity } from './entities';
import { requireKey } from './require-key';

// Point lookups by key. The list/filter queries belong to the GraphQL issue; these refuse a
// missing key instead of returning an arbitrary row.

export async function findIdentity(db: SqlRunner, username: string | undefined): Promise<IdentityEntity | null> {
  const rows = await db.query<IdentityEntity[]>(
    `SELECT username, uid, kind, groups, strategies, first_seen AS "firstSeen", last_seen AS "lastSeen",
            last_event_id AS "lastEventId", success_count::text AS "successCount", failure_count::text AS "failureCount",
            host(last_source_ip) AS "lastSourceIp"
       FROM identity WHERE username = $1`,
    [requireKey('username', username)],
  );
  return rows[0] ?? null;
}

export async function findCredential(db: SqlRunner, fingerprint: string | undefined): Promise<CredentialEntity | null> {
  const rows = await db.query<CredentialEntity[]>(
    `SELECT fingerprint, type, strategy, username, public_id AS "publicId", issuer, expires_at AS "expiresAt",
            first_used AS "firstUsed", last_used AS "lastUsed", last_event_id AS "lastEventId",
            use_count::text AS "useCount", failure_count::text AS "failureCount",
            distinct_source_ips AS "distinctSourceIps", revoked
       FROM credential WHERE fingerprint = $1`,
    [requireKey('fingerprint', fingerprint)],
  );
  return rows[0] ?? null;
}

export async function findDecision(db: SqlRunner, id: string | undefined): Promise<DecisionEntity | null> {
  const key = requireKey('id', id);
  // Not a UUID: no such decision (and no cast error from Postgres).
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(key)) return null;
  const rows = await db.query<DecisionEntity[]>(
    `SELECT id, time, decision, http_status AS "httpStatus", reason, strategy, username, claimed, groups,
            host(source_ip) AS "sourceIp", user_agent AS "userAgent", endpoint,
            credential_fingerprint AS "credentialFingerprint", credential_type AS "credentialType",
            policy_version AS "policyVersion", instance, sequence::text AS sequence, payload
       FROM decision WHERE id = $1`,
    [key],
  );
  return rows[0] ?? null;
}
