// Throw sites pass arguments only: no message for a catalogued code is written outside src/shared/error-codes/.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { templateOf } from '../src/shared/errors.ts';

const SRC = path.resolve(import.meta.dirname, '../src');
const CATALOGUE = [path.join(SRC, 'shared/errors.ts'), path.join(SRC, 'shared/error-codes')];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.ts$/.test(e.name) && !/\.test\.ts$|\.test-support\.ts$/.test(e.name) ? [full] : [];
  });
}

const files = sourceFiles(SRC).filter((file) => !CATALOGUE.some((c) => file === c || file.startsWith(c + path.sep)));
const where = (file: string, text: string, index: number) => `${path.relative(SRC, file)}:${text.slice(0, index).split('\n').length}`;

/** Every `stratusError(` call outside the catalogue, with the text of its first two arguments. */
function calls(): { at: string; id: string; rest: string }[] {
  return files.flatMap((file) => {
    const text = fs.readFileSync(file, 'utf8');
    return [...text.matchAll(/\bstratusError\(\s*([^,)]*)\s*(?:,\s*([\s\S]{0,40}))?/g)].map((m) => ({ at: where(file, text, m.index), id: m[1]!.trim(), rest: m[2] ?? '' }));
  });
}

describe('error throw sites', () => {
  const found = calls();

  it('finds the throw sites', () => {
    expect(found.length).toBeGreaterThan(100);
  });

  it('construct StratusError only through the catalogue factory', () => {
    const direct = files.flatMap((file) => {
      const text = fs.readFileSync(file, 'utf8');
      return [...text.matchAll(/new StratusError\(/g)].map((m) => where(file, text, m.index));
    });
    expect(direct).toEqual([]);
  });

  it('pass arguments, never a message (a string or template literal after the id)', () => {
    expect(found.filter((c) => /^['"`]/.test(c.rest)).map((c) => `${c.at}: ${c.rest}`)).toEqual([]);
  });

  it('name ids the catalogue has', () => {
    const literal = found.filter((c) => /^'[^']*'$/.test(c.id));
    expect(literal.length).toBeGreaterThan(100);
    expect(literal.filter((c) => templateOf(c.id.slice(1, -1)) === undefined).map((c) => `${c.at}: ${c.id}`)).toEqual([]);
  });
});
