import { createHash } from 'node:crypto';
import { createTestDatabase } from '@authtrail/testing';
import { committedHorizon, inTransaction, insertIntegrityLinks, openReadModel, readIntegrityLinks, revertMigrations, runMigrations, type IntegrityLinkRow, type ReadModelDb } from '../index';

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');
const CHAIN = 'authn-1/019af2b0-0000-7000-8000-0000000000b1';

/** Link `offset` of partition 0: a chained decision, every tenth a checkpoint with its bytes, offset 7 unreadable. */
function link(offset: number): IntegrityLinkRow {
  const where = { topic: 'authtrail.decisions.v1', partition: 0, offset: String(offset) };
  if (offset === 7) return { ...where, chainId: null, sequence: null, previous: null, hash: sha256('not json'), eventType: null, eventTime: null, record: null, problem: 'the record value (8 bytes) is not JSON' };
  const checkpoint = offset % 10 === 9;
  const record = checkpoint ? Buffer.from(`{"type":"checkpoint","n":${offset}}\n\t\\`) : null;
  return {
    ...where,
    chainId: CHAIN,
    sequence: offset + 1,
    previous: sha256(`record ${offset - 1}`),
    hash: sha256(`record ${offset}`),
    eventType: checkpoint ? 'authtrail.integrity.checkpoint.v1' : 'authtrail.authn.decision.v1',
    eventTime: new Date(Date.UTC(2026, 11, 6, 12, 0, offset)).toISOString(),
    record,
    problem: null,
  };
}

const links = (from: number, to: number): IntegrityLinkRow[] => Array.from({ length: to - from }, (_, i) => link(from + i));

async function storedLinks(db: ReadModelDb): Promise<IntegrityLinkRow[]> {
  const stored = await readIntegrityLinks(db, { fromTxid: '1', toTxid: await committedHorizon(db), afterLinkId: '0' }, 10_000);
  return stored.map(({ linkId: _, ...row }) => row);
}

describe('integrity_link: appended by COPY, read back in write order', () => {
  let db: ReadModelDb;
  let url: string;
  beforeAll(async () => {
    url = await createTestDatabase('integrity_link');
    await runMigrations(url);
    db = await openReadModel(url);
  });
  afterAll(async () => {
    await db?.destroy();
  });

  it('stores every field as given (hashes, checkpoint bytes with COPY-special characters, an unreadable record)', async () => {
    await inTransaction(db, (tx) => insertIntegrityLinks(tx, links(0, 30)));
    expect(await storedLinks(db)).toEqual(links(0, 30));
  });

  it('a batch projected again adds nothing; one that overlaps adds only its new links, after the others', async () => {
    await inTransaction(db, (tx) => insertIntegrityLinks(tx, links(0, 30)));
    expect(await storedLinks(db)).toEqual(links(0, 30));
    await inTransaction(db, (tx) => insertIntegrityLinks(tx, links(20, 45)));
    expect(await storedLinks(db)).toEqual(links(0, 45));
  });

  it('SlimIntegrityLinks reverts to hex text and back without changing a link', async () => {
    const [before] = await db.query<{ hash: string }[]>(`SELECT format_type(atttypid, atttypmod) AS hash FROM pg_attribute WHERE attrelid = 'integrity_link'::regclass AND attname = 'hash'`);
    expect(before!.hash).toBe('bytea');
    expect(await revertMigrations(url, 1)).toBe(1);
    const hex = await db.query<{ hash: string; previous: string | null }[]>(`SELECT hash, previous FROM integrity_link ORDER BY "offset"`);
    expect(hex).toEqual(links(0, 45).map((l) => ({ hash: l.hash, previous: l.previous })));
    expect(await runMigrations(url)).toEqual(['SlimIntegrityLinks1800144000000']);
    expect(await storedLinks(db)).toEqual(links(0, 45));
    await inTransaction(db, (tx) => insertIntegrityLinks(tx, links(40, 50)));
    expect(await storedLinks(db)).toEqual(links(0, 50));
  });
});
