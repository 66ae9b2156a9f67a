// The layering of ARCHITECTURE.md, checked on every import in src/: arrows point down the table only,
// other folders are reached through their index.ts, and isolated-vm stays quarantined in runtime/isolate/.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(import.meta.dirname, '../src');

/** Which top-level folders each folder may import (besides itself). */
const MAY_IMPORT: Record<string, string[]> = {
  shared: [],
  store: ['shared'],
  control: ['shared', 'store'],
  artifacts: ['shared', 'store'],
  runtime: ['shared'],
  pool: ['shared', 'runtime'],
  invoke: ['shared', 'store', 'control', 'artifacts', 'pool'],
  api: ['shared', 'control', 'invoke'],
  cli: ['shared'],
};

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(full);
    return /\.(ts|js)$/.test(e.name) && !/\.test\.ts$|\.test-support\.ts$/.test(e.name) ? [full] : [];
  });
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(IMPORT)].map((m) => (m[1] ?? m[2])!);
}

const topFolder = (file: string) => path.relative(SRC, file).split(path.sep)[0]!;
const files = sourceFiles(SRC);

describe('architecture', () => {
  it('finds the source tree', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it('imports only down the layer table, through index.ts', () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = topFolder(file);
      const allowed = MAY_IMPORT[from];
      if (!allowed) continue; // main.ts and config.ts: the composition root may import everything
      for (const spec of importsOf(file)) {
        if (!spec.startsWith('.')) continue;
        const target = path.resolve(path.dirname(file), spec);
        const to = topFolder(target);
        if (to === from) continue;
        const rel = path.relative(SRC, file);
        if (!allowed.includes(to)) violations.push(`${rel} imports ${to}/ (${from}/ may import ${allowed.join(', ') || 'nothing'})`);
        else if (to !== 'shared' && path.relative(path.join(SRC, to), target) !== 'index.ts') violations.push(`${rel} reaches into ${spec} instead of ${to}/index.ts`);
      }
    }
    expect(violations).toEqual([]);
  });

  it('keeps isolated-vm inside src/runtime/isolate/', () => {
    const outside = files.filter((f) => !f.startsWith(path.join(SRC, 'runtime', 'isolate')) && importsOf(f).some((s) => s.startsWith('isolated-vm')));
    expect(outside).toEqual([]);
    // Inside, only the loader names a release: everything else takes the module it picked.
    const loaders = files.filter((f) => importsOf(f).some((s) => s.startsWith('isolated-vm')));
    expect(loaders.map((f) => path.relative(SRC, f))).toEqual([path.join('runtime', 'isolate', 'ivm.ts')]);
  });
});
