// The README's configuration table is the operator's reference: it documents every variable the
// server reads, and nothing it does not read.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES } from '../src/config.ts';

const README = fs.readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');

function documented(): string[] {
  const table = README.split('## Configuration')[1]?.split('\n## ')[0] ?? '';
  const rows = table.split('\n').filter((line) => line.startsWith('| `STRATUS_'));
  // A row may document several variables (`A` / `B`); only its first column counts.
  return rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`(STRATUS_[A-Z0-9_]+)`/g)].map((m) => m[1]!));
}

describe('README configuration table', () => {
  it('documents every variable the server reads', () => {
    expect(CONFIG_VARIABLES.length).toBeGreaterThan(10);
    const missing = CONFIG_VARIABLES.filter((v) => !documented().includes(v));
    expect(missing).toEqual([]);
  });

  it('documents no variable the server does not read', () => {
    const unknown = documented().filter((v) => !CONFIG_VARIABLES.includes(v));
    expect(unknown).toEqual([]);
  });
});
