import fc from 'fast-check';
import { createSecretHasher } from '../shared/secret-compare';
import { parsePasswordRows } from './password-file.parser';
import { parsePasswordColumn, scryptPhc, verifyPassword } from './password-hash';

const hasher = createSecretHasher();

describe('parsePasswordColumn', () => {
  it.each([
    ['plaintext is accepted and kept only as a digest', 'hunter2hunter2', 'plaintext'],
    ['an argon2id PHC string is recognised', '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA', 'argon2id'],
    ['a scrypt PHC string is recognised', '$scrypt$ln=14,r=8,p=1$c29tZXNhbHRzb21lc2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA', 'scrypt'],
    ['a bcrypt $2a$ hash is recognised', `$2a$10$${'a'.repeat(53)}`, 'bcrypt'],
    ['a truncated bcrypt hash is refused', `$2b$10$${'a'.repeat(40)}`, undefined],
    ['an argon2id string with garbage base64 is refused', '$argon2id$v=19$m=1024,t=1,p=1$***$***', undefined],
    ['an empty password is refused', '', undefined],
  ])('%s', (_name, column, scheme) => {
    const result = parsePasswordColumn(column, hasher);
    expect(result.ok ? result.hash.scheme : undefined).toBe(scheme);
    if (result.ok && result.hash.scheme === 'plaintext') expect(JSON.stringify(result)).not.toContain(column);
  });

  it('verifies a scrypt hash it wrote, and refuses another password', async () => {
    const parsed = parsePasswordColumn(await scryptPhc('correct horse', { ln: 10 }), hasher);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(await verifyPassword(parsed.hash, 'correct horse', hasher)).toBe(true);
    expect(await verifyPassword(parsed.hash, 'correct horsf', hasher)).toBe(false);
  });

  it('never throws on any column (property)', () => {
    const phcish = fc.tuple(fc.constantFrom('$argon2id$', '$scrypt$', '$2b$', '$2y$', '$', ''), fc.string({ unit: fc.constantFrom('v', '=', '1', '9', ',', '$', 'm', 't', 'p', 'l', 'n', 'r', 'A', '/', '+') }));
    fc.assert(fc.property(fc.oneof(fc.string(), phcish.map(([a, b]) => a + b)), (column) => void parsePasswordColumn(column, hasher)), { numRuns: 2000 });
  });
});

describe('parsePasswordRows', () => {
  it('reads users with uid and quoted groups; a duplicate user warns and the later line wins', () => {
    const result = parsePasswordRows('pw1,alice,1,"a,b"\npw2,alice,2\npw3,bob,3', hasher);
    expect(result.ok && [...result.value.values()].map((u) => [u.username, u.uid, u.groups])).toEqual([['alice', '2', []], ['bob', '3', []]]);
    expect(result.ok && result.warnings).toEqual(['line 2: duplicate user (also on line 1); line 2 wins']);
  });

  it('never throws on any file, and problems name lines only (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('p', 'w', ',', '"', '\n', '$', '2', 'b', ' ', 'a') }), (text) => {
        const result = parsePasswordRows(text, hasher);
        if (!result.ok) for (const e of result.errors) expect(e).toMatch(/^line \d+/);
      }),
      { numRuns: 1000 },
    );
  });
});
