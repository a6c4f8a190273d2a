// Spec files only: a fresh ledger path per test case under one temporary folder, removed after the suite.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function ledgerFiles(prefix: string): { next(name?: string): string } {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let n = 0;
  return { next: (name = 'authn-0.ledger') => join(dir, `case-${++n}`, name) };
}
