import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanBytes, scanDirectory } from './canary';

const SECRET = 'canary-7f3a9c1e5b2d4f60';
const OTHER = 'never-written-0a1b2c3d';

describe('the canary scanner', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'authtrail-canary-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ['UTF-8 text', Buffer.from(`x ${SECRET} y`, 'utf8'), 'raw'],
    ['UTF-16LE text (Java, Windows tools)', Buffer.from(`x ${SECRET} y`, 'utf16le'), 'utf-16le'],
    ['base64 inside a larger value', Buffer.from(Buffer.from(`user:${SECRET}`).toString('base64')), 'base64'],
    ['hex', Buffer.from(Buffer.from(SECRET).toString('hex')), 'hex'],
  ])('finds a secret written as %s and names the place and the encoding', (_what, bytes, encoding) => {
    expect(scanBytes('here', bytes, [OTHER, SECRET])).toEqual([{ place: 'here', secret: 1, encoding }]);
  });

  it('finds a planted file anywhere under a directory, and nothing in clean files', () => {
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    writeFileSync(join(dir, 'clean.log'), 'nothing to see');
    writeFileSync(join(dir, 'a', 'b', 'segment.bin'), Buffer.concat([Buffer.alloc(100), Buffer.from(SECRET, 'utf16le'), Buffer.alloc(100)]));
    const scan = scanDirectory(dir, [SECRET, OTHER]);
    expect(scan.hits).toEqual([{ place: `file:${join(dir, 'a', 'b', 'segment.bin')}`, secret: 0, encoding: 'utf-16le' }]);
    expect(scan.files).toBe(2);
  });

  it('does not follow symbolic links out of the directory', () => {
    const outside = mkdtempSync(join(tmpdir(), 'authtrail-canary-outside-'));
    writeFileSync(join(outside, 'secret.txt'), SECRET);
    symlinkSync(outside, join(dir, 'link'));
    expect(scanDirectory(dir, [SECRET]).hits).toEqual([]);
    rmSync(outside, { recursive: true, force: true });
  });
});
