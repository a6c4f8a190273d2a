// `authtrail config validate` opens every file a config names and parses it as the service would.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporaryDirectories } from '@authtrail/testing';
import { captureIo } from '../cli-test-io';
import { runCli } from '../run-cli';

const scratch = temporaryDirectories('authtrail-config-validate-');

function workDir(): string {
  const dir = scratch();
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.crt', '-subj', '/CN=127.0.0.1', '-days', '1'], { cwd: dir, stdio: 'ignore' });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'other.key', '-out', 'other.crt', '-subj', '/CN=other', '-days', '1'], { cwd: dir, stdio: 'ignore' });
  writeFileSync(path.join(dir, 'tokens.csv'), 'token-of-alice-0123456789,alice,u-1,"devs"\n');
  return dir;
}

function config(dir: string, https: { certFile: string; keyFile: string }, tokenFile = './tokens.csv'): string {
  writeFileSync(
    path.join(dir, 'authtrail.yaml'),
    ['authn:', `  https: { port: 0, certFile: ${https.certFile}, keyFile: ${https.keyFile} }`, '  strategies:', `    - { id: static-token, tokenFile: ${tokenFile} }`, ''].join('\n'),
  );
  return 'authtrail.yaml';
}

async function validate(dir: string, file: string) {
  const { io, stdout, stderr } = captureIo(dir);
  const code = await runCli(['config', 'validate', '--config', file], io);
  return { code, stdout: stdout(), stderr: stderr() };
}

describe('authtrail config validate', () => {
  it('a config whose files all open and parse is valid (exit 0)', async () => {
    const dir = workDir();
    const result = await validate(dir, config(dir, { certFile: './server.crt', keyFile: './server.key' }));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('valid (static-token)');
  });

  it('a missing certFile is invalid (exit 2) and named by its key path and file', async () => {
    const dir = workDir();
    const result = await validate(dir, config(dir, { certFile: './missing.crt', keyFile: './server.key' }));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`authn.https.certFile: ${path.join(dir, 'missing.crt')}: no such file`);
  });

  it('a missing token file is named by the strategy key that names it', async () => {
    const dir = workDir();
    const result = await validate(dir, config(dir, { certFile: './server.crt', keyFile: './server.key' }, './nope.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`authn.strategies[0].tokenFile: ${path.join(dir, 'nope.csv')}: no such file`);
  });

  it('a certFile that is not PEM, and a key of another certificate, are each reported', async () => {
    const dir = workDir();
    writeFileSync(path.join(dir, 'garbage.crt'), 'this is not a certificate\n');
    const garbage = await validate(dir, config(dir, { certFile: './garbage.crt', keyFile: './server.key' }));
    expect(garbage.code).toBe(2);
    expect(garbage.stderr).toContain(`authn.https.certFile: ${path.join(dir, 'garbage.crt')}: not a PEM certificate`);
    const mismatch = await validate(dir, config(dir, { certFile: './server.crt', keyFile: './other.key' }));
    expect(mismatch.code).toBe(2);
    expect(mismatch.stderr).toContain(`authn.https.keyFile: ${path.join(dir, 'other.key')}: does not belong to the certificate of authn.https.certFile`);
  });

  it('a token CSV the strategy cannot parse is reported under its key, without the token', async () => {
    const dir = workDir();
    const secretish = 'secret-token-that-must-not-be-printed';
    writeFileSync(path.join(dir, 'broken.csv'), `${secretish}\n`);
    const result = await validate(dir, config(dir, { certFile: './server.crt', keyFile: './server.key' }, './broken.csv'));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`authn.strategies[0].tokenFile: ${path.join(dir, 'broken.csv')}:`);
    expect(result.stderr).not.toContain(secretish);
  });
});
