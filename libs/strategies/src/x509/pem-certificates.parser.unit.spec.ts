import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { destroyCa, mintCa } from '@authtrail/testing';
import { parsePemCertificates } from './pem-certificates.parser';

describe('parsePemCertificates', () => {
  const ca = mintCa({ keyType: 'ec' });
  const pem = ca.certPem;
  afterAll(() => destroyCa(ca));

  it.each<[string, () => string, string | number]>([
    ['one PEM certificate is read', () => pem, 1],
    ['a chain of two is read in order', () => pem + pem, 2],
    ['URL-encoded PEM (nginx $ssl_client_escaped_cert) is read', () => encodeURIComponent(pem), 1],
    ['text without a PEM block is malformed', () => 'hello', 'no PEM certificate found'],
    ['an empty string is malformed', () => '', 'no PEM certificate found'],
    ['garbage base64 inside the armour is malformed', () => '-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----', 'certificate 1 is not base64'],
    ['a truncated certificate is malformed', () => pem.slice(0, 200) + '\n-----END CERTIFICATE-----', 'certificate 1 is not a valid X.509 certificate'],
    ['valid base64 that is not a certificate is malformed', () => `-----BEGIN CERTIFICATE-----\n${Buffer.from('not der').toString('base64')}\n-----END CERTIFICATE-----`, 'certificate 1 is not a valid X.509 certificate'],
    ['a private key is not a certificate', () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), 'no PEM certificate found'],
    ['broken URL encoding is malformed', () => '%E0%A4%A', 'certificate PEM is not valid URL encoding'],
    ['more than ten certificates is malformed', () => pem.repeat(11), 'too many certificates in chain'],
  ])('%s', (_name, input, expected) => {
    const result = parsePemCertificates(input());
    if (typeof expected === 'number') expect(result.kind === 'certificates' && result.certificates.length).toBe(expected);
    else expect(result).toEqual({ kind: 'malformed', reason: 'malformed_credentials', message: expected });
  });

  it('never throws on any input (property)', () => {
    const armoured = fc.string({ unit: fc.constantFrom('M', 'I', 'B', '=', '/', '+', '\n', '%', 'a') }).map((b) => `-----BEGIN CERTIFICATE-----\n${b}\n-----END CERTIFICATE-----`);
    const mutated = fc.tuple(fc.nat(pem.length), fc.nat(20)).map(([at, cut]) => pem.slice(0, at) + pem.slice(at + cut));
    fc.assert(fc.property(fc.oneof(fc.string(), armoured, mutated), (text) => {
      const result = parsePemCertificates(text);
      expect(['certificates', 'malformed']).toContain(result.kind);
    }), { numRuns: 500 });
  });
});
