import { constants, generateKeyPairSync, sign as cryptoSign, type KeyObject } from 'node:crypto';
import fc from 'fast-check';
import { CompactSign, compactVerify } from 'jose';
import forge from 'node-forge';
import { ecdsaDer, signedJws, verifyJwsSignature } from './jws-signature';
import type { JwsAlgorithm } from './jwt-algorithms';

// Tokens are signed by jose, an implementation independent of the one under test, and jose's own
// verifier is the oracle for mutated tokens.
interface Pair {
  readonly publicKey: KeyObject;
  readonly privateKey: KeyObject;
}

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPss = generateKeyPairSync('rsa-pss', { modulusLength: 2048 });
const p256 = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const p384 = generateKeyPairSync('ec', { namedCurve: 'secp384r1' });
const p521 = generateKeyPairSync('ec', { namedCurve: 'secp521r1' });
const ed25519 = generateKeyPairSync('ed25519');
const shortRsa = generateKeyPairSync('rsa', { modulusLength: 1024 });

const SIGNERS: readonly (readonly [JwsAlgorithm, Pair])[] = [
  ['RS256', rsa],
  ['RS384', rsa],
  ['RS512', rsa],
  ['PS256', rsa],
  ['PS384', rsa],
  ['PS512', rsa],
  ['ES256', p256],
  ['ES384', p384],
  ['ES512', p521],
  ['EdDSA', ed25519],
];

const encoder = new TextEncoder();
const sign = (alg: JwsAlgorithm, pair: Pair, payload = '{"sub":"jane"}'): Promise<string> =>
  new CompactSign(encoder.encode(payload)).setProtectedHeader({ alg }).sign(pair.privateKey);

const check = (token: string, alg: JwsAlgorithm, key: KeyObject) => verifyJwsSignature(signedJws(token), alg, key);

describe('verifyJwsSignature', () => {
  it.each(SIGNERS)('a %s token signed by jose verifies with its public key', async (alg, pair) => {
    expect(check(await sign(alg, pair), alg, pair.publicKey)).toBe('valid');
  });

  it.each(SIGNERS)('a %s token whose payload was changed after signing is invalid', async (alg, pair) => {
    const [header, , signature] = (await sign(alg, pair)).split('.');
    const forged = `${header}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${signature}`;
    expect(check(forged, alg, pair.publicKey)).toBe('invalid');
  });

  it.each(SIGNERS)('a %s token does not verify with another key of the same kind', async (alg, pair) => {
    const token = await sign(alg, pair);
    const curve = pair.publicKey.asymmetricKeyDetails?.namedCurve;
    const type = pair.publicKey.asymmetricKeyType;
    const other = type === 'rsa' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : type === 'ec' ? generateKeyPairSync('ec', { namedCurve: curve! }) : generateKeyPairSync('ed25519');
    expect(check(token, alg, other.publicKey)).toBe('invalid');
  });

  it.each([
    ['an RSA key for ES256', 'ES256', rsa.publicKey],
    ['a P-384 key for ES256', 'ES256', p384.publicKey],
    ['a P-256 key for ES512', 'ES512', p256.publicKey],
    ['an EC key for RS256', 'RS256', p256.publicKey],
    ['an RSA-PSS-only key for RS256 (PKCS#1 v1.5)', 'RS256', rsaPss.publicKey],
    ['an Ed25519 key for RS256', 'RS256', ed25519.publicKey],
    ['an RSA key for EdDSA', 'EdDSA', rsa.publicKey],
    ['a 1024-bit RSA key, however it signed', 'RS256', shortRsa.publicKey],
    ['a private key (only public keys verify here)', 'RS256', rsa.privateKey],
  ] as const)('%s is an unusable key', (_name, alg, key) => {
    expect(check('eyJhbGciOiJub25lIn0.e30.c2ln', alg, key)).toBe('unusable-key');
  });

  it('a PS512 token signed with an RSA-PSS key (salt as long as the hash, RFC 7518 §3.5) verifies', () => {
    // WebCrypto (jose) cannot sign with an RSA-PSS KeyObject: OpenSSL signs with the RFC's parameters.
    const signingInput = `${Buffer.from('{"alg":"PS512"}').toString('base64url')}.${Buffer.from('{"sub":"jane"}').toString('base64url')}`;
    const signature = cryptoSign('sha512', Buffer.from(signingInput), { key: rsaPss.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 64 });
    expect(check(`${signingInput}.${signature.toString('base64url')}`, 'PS512', rsaPss.publicKey)).toBe('valid');
  });

  it('an ES256 signature in DER (not the raw r‖s JWS uses) is invalid', async () => {
    const token = await sign('ES256', p256);
    const der = Buffer.concat([Buffer.from([0x30, 0x44, 0x02, 0x20]), Buffer.alloc(32, 1), Buffer.from([0x02, 0x20]), Buffer.alloc(32, 2)]);
    expect(check(`${token.slice(0, token.lastIndexOf('.'))}.${der.toString('base64url')}`, 'ES256', p256.publicKey)).toBe('invalid');
  });

  it('an empty signature (alg none under another name) is invalid for every algorithm', () => {
    for (const [alg, pair] of SIGNERS) expect(check('eyJhbGciOiJSUzI1NiJ9.e30.', alg, pair.publicKey)).toBe('invalid');
  });

  it('agrees with jose on tokens mutated anywhere, for every algorithm', async () => {
    const tokens = await Promise.all(SIGNERS.map(async ([alg, pair]) => ({ alg, pair, token: await sign(alg, pair) })));
    const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    await fc.assert(
      fc.asyncProperty(fc.nat(tokens.length - 1), fc.nat(), fc.nat(base64url.length - 1), async (which, position, replacement) => {
        const { alg, pair, token } = tokens[which]!;
        const at = position % token.length;
        if (token[at] === '.') return;
        const mutated = token.slice(0, at) + base64url[replacement] + token.slice(at + 1);
        const joseSays = await compactVerify(mutated, pair.publicKey, { algorithms: [alg] }).then(
          () => 'valid',
          () => 'invalid',
        );
        const ours = check(mutated, alg, pair.publicKey);
        expect(ours).toBe(joseSays);
      }),
      { numRuns: 400 },
    );
  });
});

describe('ecdsaDer', () => {
  const unsigned = (bytes: Uint8Array): bigint => BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
  // node-forge's ASN.1 reader is the independent judge of the encoding.
  const readDer = (der: Buffer): { r: bigint; s: bigint; canonical: boolean } => {
    const sequence = forge.asn1.fromDer(forge.util.createBuffer(der.toString('binary')), true);
    const [r, s] = (sequence.value as forge.asn1.Asn1[]).map((integer) => {
      const bytes = Buffer.from(integer.value as string, 'binary');
      expect(bytes[0]! & 0x80).toBe(0); // positive
      return unsigned(bytes);
    });
    return { r: r!, s: s!, canonical: forge.asn1.toDer(sequence).getBytes() === der.toString('binary') };
  };

  it.each([64, 96, 132])('encodes any %i-byte r‖s as a canonical SEQUENCE of the two positive integers', (length) => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: length, maxLength: length }), (raw) => {
        const decoded = readDer(ecdsaDer(Buffer.from(raw)));
        expect(decoded).toEqual({ r: unsigned(raw.subarray(0, length / 2)), s: unsigned(raw.subarray(length / 2)), canonical: true });
      }),
      { numRuns: 300 },
    );
  });

  it('strips leading zeros and adds one before a set high bit', () => {
    const raw = Buffer.concat([Buffer.alloc(31), Buffer.from([0x01]), Buffer.from([0x80]), Buffer.alloc(31, 0x11)]);
    expect(ecdsaDer(raw).toString('hex')).toBe(`3026020101022100${'80'}${'11'.repeat(31)}`);
  });
});
