import { verify as argon2Verify } from '@node-rs/argon2';
import { verify as bcryptVerify } from '@node-rs/bcrypt';
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt, decodeProtectedHeader, importSPKI, jwtVerify } from 'jose';
import { parseAllDocuments } from 'yaml';
import { createFingerprinter } from '@authtrail/events';
import { temporaryDirectories } from '@authtrail/testing';
import { randomBytes } from 'node:crypto';
import { captureIo } from './cli-test-io';
import { runCli } from './run-cli';

const tmp = temporaryDirectories('authtrail-cli-');

describe('authtrail CLI', () => {
  it('lists its commands with --help and exits 0', async () => {
    const { io, stdout } = captureIo(tmp());
    expect(await runCli(['--help'], io)).toBe(0);
    for (const name of ['ca', 'bootstrap-token', 'sa-token', 'hash-password']) expect(stdout()).toContain(name);
  });

  it('refuses an unknown command with exit code 2 and the overview', async () => {
    const { io, stderr } = captureIo(tmp());
    expect(await runCli(['frobnicate'], io)).toBe(2);
    expect(stderr()).toContain('unknown command "frobnicate"');
  });

  it('prints each command’s usage with --help', async () => {
    const { io, stdout } = captureIo(tmp());
    expect(await runCli(['ca', '--help'], io)).toBe(0);
    expect(stdout()).toContain('authtrail ca issue --cn USER');
  });

  describe('ca', () => {
    it('init and issue make a client certificate that openssl verifies against the CA', async () => {
      const dir = tmp();
      expect(await runCli(['ca', 'init', '--dir', 'ca'], captureIo(dir).io)).toBe(0);
      expect(await runCli(['ca', 'issue', '--dir', 'ca', '--cn', 'alice', '--org', 'dev', '--org', 'ops', '--days', '7'], captureIo(dir).io)).toBe(0);
      const verified = execFileSync('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', 'ca/ca.crt', 'ca/alice.crt'], { cwd: dir, encoding: 'utf8' });
      expect(verified.trim()).toBe('ca/alice.crt: OK');
      const certificate = new X509Certificate(readFileSync(path.join(dir, 'ca/alice.crt')));
      expect(certificate.subject.split('\n')).toEqual(['CN=alice', 'O=dev', 'O=ops']);
      expect(certificate.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']);
      expect(Date.parse(certificate.validTo) - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
      expect(statSync(path.join(dir, 'ca/alice.key')).mode & 0o777).toBe(0o600);
    });

    it.each([
      { args: ['ca', 'issue', '--dir', 'nowhere', '--cn', 'bob'], error: 'no CA in' },
      { args: ['ca', 'issue', '--dir', 'ca'], error: '--cn is required' },
      { args: ['ca', 'issue', '--dir', 'ca', '--cn', 'bob/../../x'], error: 'may only hold' },
      { args: ['ca', 'issue', '--dir', 'ca', '--cn', 'bob', '--days', 'ten'], error: '--days: "ten" is not a positive whole number' },
      { args: ['ca', 'init', '--dir', 'ca'], error: 'refusing to overwrite a CA' },
      { args: ['ca', 'sign'], error: 'expected "init" or "issue"' },
      { args: ['ca', 'init', '--colour', 'blue'], error: "Unknown option '--colour'" },
    ])('refuses $args with exit 2: $error', async ({ args, error }) => {
      const dir = tmp();
      await runCli(['ca', 'init', '--dir', 'ca'], captureIo(dir).io);
      const { io, stderr } = captureIo(dir);
      expect(await runCli(args, io)).toBe(2);
      expect(stderr()).toContain(error);
    });
  });

  describe('bootstrap-token create', () => {
    it('prints a token and the matching Secret manifest', async () => {
      const { io, stdout } = captureIo(tmp());
      expect(await runCli(['bootstrap-token', 'create', '--ttl', '2h', '--group', 'system:bootstrappers:workers'], io)).toBe(0);
      const [token, ...rest] = stdout().split('\n');
      expect(token).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}$/);
      const secret = parseAllDocuments(rest.join('\n'))[0].toJS();
      expect(secret).toMatchObject({
        type: 'bootstrap.kubernetes.io/token',
        metadata: { name: `bootstrap-token-${token.slice(0, 6)}`, namespace: 'kube-system' },
        stringData: { 'token-id': token.slice(0, 6), 'token-secret': token.slice(7), 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:bootstrappers:workers' },
      });
      const ttl = Date.parse(secret.stringData.expiration) - Date.now();
      expect(ttl).toBeGreaterThan(7_100_000);
      expect(ttl).toBeLessThanOrEqual(7_200_000);
    });

    it.each([
      { args: ['bootstrap-token', 'create', '--ttl', 'forever'], error: '--ttl: "forever" is not a duration' },
      { args: ['bootstrap-token', 'create', '--group', 'admins'], error: '--group: "admins" must match' },
      { args: ['bootstrap-token', 'delete'], error: 'expected "create"' },
    ])('refuses $args with exit 2', async ({ args, error }) => {
      const { io, stderr } = captureIo(tmp());
      expect(await runCli(args, io)).toBe(2);
      expect(stderr()).toContain(error);
    });
  });

  describe('sa-token mint', () => {
    it.each([
      { type: 'rsa' as const, options: { modulusLength: 2048 }, alg: 'RS256' },
      { type: 'ec' as const, options: { namedCurve: 'P-256' }, alg: 'ES256' },
    ])('signs a bound token with a $type key that verifies with the public key ($alg)', async ({ type, options, alg }) => {
      const dir = tmp();
      const keys = generateKeyPairSync(type as 'rsa', options as { modulusLength: number });
      writeFileSync(path.join(dir, 'sa.key'), keys.privateKey.export({ type: 'pkcs8', format: 'pem' }));
      const { io, stdout } = captureIo(dir);
      const code = await runCli(
        ['sa-token', 'mint', '--key', 'sa.key', '--namespace', 'team-a', '--name', 'builder', '--uid', 'u-1', '--audience', 'authtrail', '--ttl', '10m', '--pod-name', 'builder-0'],
        io,
      );
      expect(code).toBe(0);
      const token = stdout().trim();
      expect(decodeProtectedHeader(token).alg).toBe(alg);
      const publicKey = await importSPKI(keys.publicKey.export({ type: 'spki', format: 'pem' }).toString(), alg);
      const { payload } = await jwtVerify(token, publicKey, { audience: 'authtrail', algorithms: [alg] });
      expect(payload).toMatchObject({
        sub: 'system:serviceaccount:team-a:builder',
        'kubernetes.io': { namespace: 'team-a', serviceaccount: { name: 'builder', uid: 'u-1' }, pod: { name: 'builder-0' } },
      });
      expect((payload.exp ?? 0) - (payload.iat ?? 0)).toBe(600);
      expect(decodeJwt(token).jti).toMatch(/^[0-9a-f-]{36}$/);
    });

    it.each([
      { setup: (dir: string) => writeFileSync(path.join(dir, 'sa.key'), 'not a key at all'), error: 'is not a readable PEM private key' },
      {
        setup: (dir: string) => writeFileSync(path.join(dir, 'sa.key'), generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' })),
        error: 'unsupported service-account signing key: ed25519',
      },
    ])('refuses a bad key with exit 2 ($error) without printing it', async ({ setup, error }) => {
      const dir = tmp();
      setup(dir);
      const { io, stderr } = captureIo(dir);
      expect(await runCli(['sa-token', 'mint', '--key', 'sa.key', '--namespace', 'a', '--name', 'b'], io)).toBe(2);
      expect(stderr()).toContain(error);
      expect(stderr()).not.toContain('PRIVATE KEY');
    });

    it('requires --namespace', async () => {
      const { io, stderr } = captureIo(tmp());
      expect(await runCli(['sa-token', 'mint', '--key', 'x'], io)).toBe(2);
      expect(stderr()).toMatch(/not a readable PEM|--namespace is required/);
    });
  });

  describe('hash-password', () => {
    it('hashes standard input with argon2id by default', async () => {
      const { io, stdout } = captureIo(tmp(), 'correct horse\n');
      expect(await runCli(['hash-password'], io)).toBe(0);
      const phc = stdout().trim();
      expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      expect(await argon2Verify(phc, 'correct horse')).toBe(true);
      expect(phc).not.toContain('correct horse');
    });

    it('hashes with bcrypt on request', async () => {
      const { io, stdout } = captureIo(tmp(), 'pw');
      expect(await runCli(['hash-password', '--algorithm', 'bcrypt'], io)).toBe(0);
      expect(await bcryptVerify('pw', stdout().trim())).toBe(true);
    });

    it.each([
      { args: ['hash-password'], stdin: '', error: 'no password on standard input' },
      { args: ['hash-password', '--algorithm', 'md5'], stdin: 'pw', error: '"md5" is not one of argon2id, bcrypt' },
      { args: ['hash-password', 'hunter2'], stdin: 'pw', error: "Unexpected argument 'hunter2'" },
    ])('refuses $args with exit 2', async ({ args, stdin, error }) => {
      const { io, stderr } = captureIo(tmp(), stdin);
      expect(await runCli(args, io)).toBe(2);
      expect(stderr()).toContain(error);
    });
  });

  describe('fingerprint', () => {
    const key = randomBytes(32);
    const configDir = () => {
      const dir = tmp();
      writeFileSync(path.join(dir, 'authtrail.yaml'), `fingerprint: { keys: [{ id: k1, secret: ${key.toString('base64')} }] }\n`);
      return dir;
    };

    it('prints the fingerprint events record for the secret on standard input', async () => {
      const { io, stdout } = captureIo(configDir(), 'the-token\n');
      expect(await runCli(['fingerprint', '--config', 'authtrail.yaml'], io)).toBe(0);
      expect(stdout().trim()).toBe(createFingerprinter({ keys: [{ id: 'k1', secret: key }] }).fingerprint('the-token'));
      expect(stdout()).not.toContain('the-token');
    });

    it.each([
      { stdin: '', args: ['fingerprint', '--config', 'authtrail.yaml'], error: 'no secret on standard input' },
      { stdin: 'x', args: ['fingerprint', '--config', 'missing.yaml'], error: 'missing.yaml' },
    ])('refuses $args with exit 2 ($error)', async ({ stdin, args, error }) => {
      const { io, stderr } = captureIo(configDir(), stdin);
      expect(await runCli(args, io)).toBe(2);
      expect(stderr()).toContain(error);
    });
  });

  describe('config validate', () => {
    const write = (files: Record<string, string | undefined>) => {
      const dir = tmp();
      for (const [name, content] of Object.entries(files)) if (content !== undefined) writeFileSync(path.join(dir, name), content);
      return dir;
    };

    it('accepts a valid file with its strategies and policy', async () => {
      const dir = write({
        'authtrail.yaml': 'authn:\n  strategies: [{ id: static-token, tokenFile: ./tokens.csv }]\npolicy: { file: ./policy.yaml }\n',
        'tokens.csv': 't0ken,alice,1,"dev"\n',
        'policy.yaml': 'strategies: { static-token: { mode: warn } }\n',
      });
      const { io, stdout } = captureIo(dir);
      expect(await runCli(['config', 'validate', '--config', 'authtrail.yaml'], io)).toBe(0);
      expect(stdout()).toContain('valid (static-token)');
    });

    it.each([
      { name: 'an unknown key, named with the file', files: { 'a.yaml': 'authn: { htp: { port: 1 } }\n' }, error: 'authn.htp' },
      { name: 'a strategy key typo', files: { 'a.yaml': 'authn: { strategies: [{ id: static-token, tokenfile: x }] }\n' }, error: 'authn.strategies[0]' },
      { name: 'a broken policy file', files: { 'a.yaml': 'policy: { file: ./p.yaml }\n', 'p.yaml': 'strategies: { x509: { maxValidity: soon } }\n' }, error: 'strategies.x509.maxValidity' },
      { name: 'a broken siem section', files: { 'a.yaml': 'siem: { sinks: [{ type: carrier-pigeon }] }\n' }, error: 'siem.sinks[0]' },
    ])('refuses $name with exit 2', async ({ files, error }) => {
      const { io, stderr } = captureIo(write(files));
      expect(await runCli(['config', 'validate', '--config', 'a.yaml'], io)).toBe(2);
      expect(stderr()).toContain(error);
    });
  });

  it('replay refuses an unknown source before touching any database', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, 'a.yaml'), 'dataDir: ./data\n');
    const { io, stderr } = captureIo(dir);
    expect(await runCli(['replay', '--config', 'a.yaml', '--from', 'tape'], io)).toBe(2);
    expect(stderr()).toContain('--from: "tape" is not one of database, kafka');
  });

  it('the installed bin runs from any directory and returns the exit code', () => {
    const bin = path.resolve(__dirname, '../bin/authtrail.js');
    const ok = spawnSync(process.execPath, [bin, 'bootstrap-token', 'create'], { cwd: tmp(), encoding: 'utf8' });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^[a-z0-9]{6}\.[a-z0-9]{16}\n/);
    const bad = spawnSync(process.execPath, [bin, 'nope'], { cwd: tmp(), encoding: 'utf8' });
    expect(bad.status).toBe(2);
  });
});
