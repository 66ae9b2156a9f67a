import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultHandler, zipSource } from './zip.ts';

function unzipToText(zip: Uint8Array): Record<string, string> {
  return Object.fromEntries(Object.entries(unzipSync(zip)).map(([path, bytes]) => [path, strFromU8(bytes)]));
}

describe('zipSource', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-zip-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  function write(path: string, text: string): void {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }

  it('zips a directory recursively with node_modules, skipping .git and .stratus, and unzips back to the same files', async () => {
    write('app/index.js', 'export const handler = () => 1;');
    write('app/lib/util.js', 'export const two = 2;');
    write('app/node_modules/dep/index.js', 'module.exports = 3;');
    write('app/.git/HEAD', 'ref: refs/heads/main');
    write('app/.stratus/credentials', '[stratus]');
    write('app/.env', 'KEEP=1');

    const result = await zipSource(join(dir, 'app'));
    expect(unzipToText(result.zip)).toEqual({
      '.env': 'KEEP=1',
      'index.js': 'export const handler = () => 1;',
      'lib/util.js': 'export const two = 2;',
      'node_modules/dep/index.js': 'module.exports = 3;',
    });
    expect(result.files).toEqual(['.env', 'index.js', 'lib/util.js', 'node_modules/dep/index.js']);
    expect(defaultHandler(result)).toBe('index.handler');
  });

  it('produces the same bytes for the same files, whenever they were written', async () => {
    write('a/index.js', 'x');
    write('b/index.js', 'x');
    const [first, second] = await Promise.all([zipSource(join(dir, 'a')), zipSource(join(dir, 'b'))]);
    expect(Buffer.from(first.zip).equals(Buffer.from(second.zip))).toBe(true);
  });

  it('zips a single file alone under its own name, with a handler named after it', async () => {
    write('src/app.mjs', 'export const handler = () => 1;');
    write('src/other.js', 'ignored');
    const result = await zipSource(join(dir, 'src', 'app.mjs'));
    expect(unzipToText(result.zip)).toEqual({ 'app.mjs': 'export const handler = () => 1;' });
    expect(defaultHandler(result)).toBe('app.handler');
  });

  it('follows symlinks but does not loop on a link back up the tree', async () => {
    write('app/index.js', 'x');
    write('shared/lib.js', 'y');
    symlinkSync(join(dir, 'shared'), join(dir, 'app', 'shared'));
    symlinkSync(join(dir, 'app'), join(dir, 'app', 'loop'));
    symlinkSync(join(dir, 'missing'), join(dir, 'app', 'dangling'));
    expect(Object.keys(unzipToText((await zipSource(join(dir, 'app'))).zip)).sort()).toEqual(['index.js', 'shared/lib.js']);
  });

  it('explains a missing source and an empty directory', async () => {
    await expect(zipSource(join(dir, 'nope'))).rejects.toThrow(/nope does not exist; pass a directory or a file to deploy/);
    mkdirSync(join(dir, 'empty', '.git'), { recursive: true });
    writeFileSync(join(dir, 'empty', '.git', 'HEAD'), 'x');
    await expect(zipSource(join(dir, 'empty'))).rejects.toThrow(/has no files to deploy/);
  });
});
