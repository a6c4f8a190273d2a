import { unlinkSync, writeFileSync } from 'node:fs';
import { FileLoadError, loadAndWatch, type ParseResult } from './file-reloader';
import { eventually, recordingLogger, tempFolder } from './temp-files.fixture';

// A toy format: one number per file; "bad" is invalid.
const parse = (text: string): ParseResult<number> => (/^\d+\n?$/.test(text) ? { ok: true, value: Number(text), warnings: [] } : { ok: false, errors: ['line 1: not a number'] });

describe('loadAndWatch', () => {
  const files = tempFolder('reloader');
  afterAll(() => files.remove());

  it.each([
    ['with fs.watch', true],
    ['with the stat poll alone (no watch events)', false],
  ])('picks up a changed file %s', async (_name, watch) => {
    const path = files.file('1\n');
    const reloading = await loadAndWatch({ file: path, label: 'test', parse, logger: recordingLogger(), intervalMs: 100, watch });
    expect(reloading.current()).toBe(1);
    writeFileSync(path, '22\n');
    expect(await eventually(() => reloading.current() === 22)).toBe(true);
    expect(reloading.generation).toBe(2);
    await reloading.close();
  });

  it('keeps the last good value through an invalid version and a deleted file, then recovers', async () => {
    const logger = recordingLogger();
    const path = files.file('5\n');
    const reloading = await loadAndWatch({ file: path, label: 'test', parse, logger, intervalMs: 100 });
    writeFileSync(path, 'bad');
    expect(await eventually(() => logger.lines.some((l) => l.includes('strategy file invalid')))).toBe(true);
    unlinkSync(path);
    expect(await eventually(() => logger.lines.some((l) => l.includes('strategy file unreadable')))).toBe(true);
    expect(reloading.current()).toBe(5);
    files.replace(path, '6\n');
    expect(await eventually(() => reloading.current() === 6)).toBe(true);
    await reloading.close();
  });

  it('fails to start on an invalid file with a FileLoadError naming the problems', async () => {
    await expect(loadAndWatch({ file: files.file('bad'), label: 'test', parse, logger: recordingLogger(), intervalMs: 100 })).rejects.toEqual(expect.any(FileLoadError));
  });

  it('stops reloading after close', async () => {
    const path = files.file('7\n');
    const reloading = await loadAndWatch({ file: path, label: 'test', parse, logger: recordingLogger(), intervalMs: 100 });
    await reloading.close();
    writeFileSync(path, '8\n');
    await new Promise((r) => setTimeout(r, 400));
    expect(reloading.current()).toBe(7);
  });
});
