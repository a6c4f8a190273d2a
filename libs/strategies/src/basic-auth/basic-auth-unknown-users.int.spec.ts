// Unknown users cost what known users cost, whatever schemes the file mixes (issue #15 item 6).
// Counted, not timed: a recording verifier says which scheme (and cost) ran for each name.
import { hash as argon2Hash } from '@node-rs/argon2';
import { hash as bcryptHash } from '@node-rs/bcrypt';
import { basic, requestView } from '../shared/request-view.fixture';
import { tempFolder } from '../shared/temp-files.fixture';
import { createBasicAuthStrategy, type BasicAuthStrategy } from './basic-auth.strategy';
import { scryptPhc, verifyPassword, type PasswordHash } from './password-hash';

const costOf = (hash: PasswordHash) => (hash.scheme === 'argon2id' ? `argon2id m=${hash.m}` : hash.scheme === 'bcrypt' ? `bcrypt ${hash.cost}` : hash.scheme === 'scrypt' ? `scrypt ln=${hash.ln}` : 'plaintext');

describe('basic-auth: the hash an unknown user name is checked against', () => {
  const files = tempFolder('basic-auth-unknown');
  const verified: string[] = [];
  let strategy: BasicAuthStrategy;

  beforeAll(async () => {
    // Half argon2id (the first line), a quarter scrypt, a quarter bcrypt: the old dummy copied the first line.
    const lines = [
      `"${await argon2Hash('pw-a1', { memoryCost: 1024, timeCost: 1, parallelism: 1 })}",ann,1`,
      `"${await argon2Hash('pw-a2', { memoryCost: 1024, timeCost: 1, parallelism: 1 })}",abe,2`,
      `"${await scryptPhc('pw-s', { ln: 4 })}",sam,3`,
      `${await bcryptHash('pw-b', 4)},bea,4`,
    ];
    strategy = await createBasicAuthStrategy({ id: 'basic-auth', passwordFile: files.file(lines.join('\n')) }, {}, {
      verify: (stored, password, hasher) => {
        verified.push(costOf(stored));
        return verifyPassword(stored, password, hasher);
      },
    });
  });
  afterAll(async () => {
    await strategy.close?.();
    files.remove();
  });

  const tryName = async (name: string) => {
    verified.length = 0;
    const outcome = await strategy.authenticate(requestView({ authorization: basic(name, 'wrong') }));
    expect(outcome).toMatchObject({ kind: 'rejected', reason: 'invalid_password' });
    expect(verified).toHaveLength(1);
    return verified[0]!;
  };

  it('known users are verified with their own scheme', async () => {
    expect([await tryName('ann'), await tryName('sam'), await tryName('bea')]).toEqual(['argon2id m=1024', 'scrypt ln=4', 'bcrypt 4']);
  });

  it('unknown names are spread over the schemes and costs in the file, in about the same proportions as the users', async () => {
    const counts = new Map<string, number>();
    const names = Array.from({ length: 200 }, (_, i) => `nobody-${i}`);
    for (const name of names) {
      const cost = await tryName(name);
      counts.set(cost, (counts.get(cost) ?? 0) + 1);
    }
    expect([...counts.keys()].sort()).toEqual(['argon2id m=1024', 'bcrypt 4', 'scrypt ln=4']);
    // Expected shares 1/2, 1/4, 1/4 of 200 (a keyed hash picks: binomial, far inside these bounds).
    expect(counts.get('argon2id m=1024')).toBeGreaterThan(60);
    expect(counts.get('scrypt ln=4')).toBeGreaterThan(20);
    expect(counts.get('bcrypt 4')).toBeGreaterThan(20);
  }, 60_000);

  it('the same unknown name is always checked against the same scheme (no answer varies between tries)', async () => {
    for (const name of ['mallory', 'root', 'admin']) {
      const first = await tryName(name);
      expect([await tryName(name), await tryName(name)]).toEqual([first, first]);
    }
  });
});
