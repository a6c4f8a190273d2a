import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname } from 'node:path';
import { anchorFileOf, checkpointAnchorWriter, readCheckpointAnchor } from './checkpoint-anchor';
import { ledgerFiles } from './ledger-files.fixture';

const hashOf = (text: string) => createHash('sha256').update(text).digest('hex');

describe('checkpoint anchor', () => {
  const files = ledgerFiles('authn-anchor');
  const file = () => anchorFileOf(files.next());

  it('sits beside the ledger: <instance>.checkpoint', () => {
    expect(anchorFileOf('/var/lib/authtrail/authn/pod-7.ledger')).toBe('/var/lib/authtrail/authn/pod-7.checkpoint');
  });

  it('a boot that writes no checkpoint leaves the previous anchor as it was', () => {
    const path = file();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${hashOf('previous boot')}\n`);
    checkpointAnchorWriter(path).close();
    expect(readCheckpointAnchor(path)).toEqual({ kind: 'ok', hash: hashOf('previous boot') });
  });

  it('no file is created before the first checkpoint; each write is on disk when it returns, in the same 65 bytes', () => {
    const path = file();
    const writer = checkpointAnchorWriter(path);
    expect(existsSync(path)).toBe(false);
    for (const n of [1, 2, 3]) {
      writer.write(hashOf(`checkpoint ${n}`));
      expect(readCheckpointAnchor(path)).toEqual({ kind: 'ok', hash: hashOf(`checkpoint ${n}`) });
      expect(statSync(path).size).toBe(65);
    }
    writer.close();
  });

  it('replaces a longer file whole (no tail of what it held stays behind)', () => {
    const path = file();
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, 'not an anchor: '.repeat(20));
    expect(readCheckpointAnchor(path)).toEqual({ kind: 'unreadable' });
    const writer = checkpointAnchorWriter(path);
    writer.write(hashOf('first'));
    writer.close();
    expect(readFileSync(path, 'latin1')).toBe(`${hashOf('first')}\n`);
  });

  it('a write after close opens the file again', () => {
    const path = file();
    const writer = checkpointAnchorWriter(path);
    writer.write(hashOf('a'));
    writer.close();
    writer.write(hashOf('b'));
    writer.close();
    expect(readCheckpointAnchor(path)).toEqual({ kind: 'ok', hash: hashOf('b') });
  });

  it('refuses anything but a SHA-256 in lowercase hex, and writes nothing then', () => {
    const path = file();
    const writer = checkpointAnchorWriter(path);
    for (const bad of ['', 'abc', hashOf('x').toUpperCase(), `${hashOf('x')}0`]) expect(() => writer.write(bad)).toThrow(RangeError);
    expect(existsSync(path)).toBe(false);
    writer.close();
  });
});
