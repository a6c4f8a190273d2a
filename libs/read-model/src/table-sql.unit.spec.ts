import type { TableColumns } from './entities/columns';
import { DECISION_COLUMNS, type DecisionEntity } from './entities/decision.entity';
import { recordsetOf, selectList } from './table-sql';

describe('SQL fragments from a column map', () => {
  const columns = {
    id: { type: 'uuid', primary: true },
    lastSeen: { type: 'timestamptz', name: 'last_seen' },
    useCount: { type: 'bigint', name: 'use_count' },
    sourceIp: { type: 'inet', name: 'source_ip', nullable: true },
    groups: { type: 'text', array: true },
  } as const satisfies TableColumns<{ id: string; lastSeen: Date; useCount: number; sourceIp: string | null; groups: string[] }>;

  it('a select list reads each column into its field: inet through host(), bigint as a number', () => {
    expect(selectList(columns, ['id', 'lastSeen', 'useCount', 'sourceIp'])).toBe(
      'id AS "id", last_seen AS "lastSeen", use_count::float8 AS "useCount", host(source_ip) AS "sourceIp"',
    );
    expect(selectList(columns, ['id'], 't')).toBe('t.id AS "id"');
  });

  it('a recordset names the columns, the fields and their SQL types (arrays included)', () => {
    expect(recordsetOf(columns, ['id', 'lastSeen', 'groups'])).toEqual({
      columns: 'id, last_seen, groups',
      values: 'x."id", x."lastSeen", x."groups"',
      definition: 'x("id" uuid, "lastSeen" timestamptz, "groups" text[])',
    });
  });

  it('the decision column map names every field of the entity, so the COPY and the select list cover the row', () => {
    const fields: Record<keyof DecisionEntity, true> = {
      id: true, time: true, decision: true, httpStatus: true, reason: true, strategy: true, username: true, claimed: true,
      claimedUsernameHash: true, groups: true, sourceIp: true, userAgent: true, endpoint: true, callerSubject: true, credentialFingerprint: true,
      credentialType: true, policyVersion: true, instance: true, boot: true, sequence: true, payload: true,
    };
    expect(Object.keys(DECISION_COLUMNS).sort()).toEqual(Object.keys(fields).sort());
  });

  it('a column map that misses or adds a field does not compile', () => {
    type Row = { a: string; b: number };
    // @ts-expect-error `b` has no column
    const missing: TableColumns<Row> = { a: { type: 'text' } };
    // @ts-expect-error `c` is no field of the row
    const extra: TableColumns<Row> = { a: { type: 'text' }, b: { type: 'integer' }, c: { type: 'text' } };
    expect([missing, extra]).toHaveLength(2);
  });
});
