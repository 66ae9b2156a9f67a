import * as fs from 'node:fs';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { defaultHandler, zipSource } from './zip.ts';
import { PARALLEL_FROM_FILES } from './zip-workers.ts';

// Pass-through spies: the real filesystem is used, and a test can see every path zipSource touched,
// through the promise API or the synchronous one.
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, readdir: vi.fn(actual.readdir), readFile: vi.fn(actual.readFile), stat: vi.fn(actual.stat) };
});
vi.mock('node:fs', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs')>();
  return { ...actual, readdirSync: vi.fn(actual.readdirSync), readFileSync: vi.fn(actual.readFileSync), statSync: vi.fn(actual.statSync) };
});

/** Every path zipSource listed, read or stat-ed since the spies were last cleared. */
function touchedPaths(): string[] {
  const spies = [fsp.readdir, fsp.readFile, fsp.stat, fs.readdirSync, fs.readFileSync, fs.statSync] as ((...args: unknown[]) => unknown)[];
  return spies.flatMap((fn) => vi.mocked(fn).mock.calls.map((call) => String(call[0])));
}

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

  it('zips a directory recursively with node_modules, skipping .git, .stratus and .env, and unzips back to the same files', async () => {
    write('app/index.js', 'export const handler = () => 1;');
    write('app/lib/util.js', 'export const two = 2;');
    write('app/node_modules/dep/index.js', 'module.exports = 3;');
    write('app/.git/HEAD', 'ref: refs/heads/main');
    write('app/.stratus/credentials', '[stratus]');
    write('app/.env', 'SECRET=1');

    const result = await zipSource(join(dir, 'app'));
    expect(unzipToText(result.zip)).toEqual({
      'index.js': 'export const handler = () => 1;',
      'lib/util.js': 'export const two = 2;',
      'node_modules/dep/index.js': 'module.exports = 3;',
    });
    expect(result.files).toEqual(['index.js', 'lib/util.js', 'node_modules/dep/index.js']);
    expect(result.skipped).toEqual([
      { path: '.env', reason: 'secrets file' },
      { path: '.stratus', reason: 'Stratus data folder' },
    ]);
    expect(defaultHandler(result)).toBe('index.handler');
  });

  it('produces the same bytes for the same files, whenever they were written', async () => {
    write('a/index.js', 'x');
    write('b/index.js', 'x');
    const [first, second] = await Promise.all([zipSource(join(dir, 'a')), zipSource(join(dir, 'b'))]);
    expect(Buffer.from(first.zip).equals(Buffer.from(second.zip))).toBe(true);
  });

  it('zips a package large enough to be compressed on threads into the same files, and reports progress', async () => {
    const count = PARALLEL_FROM_FILES + 100;
    for (let i = 0; i < count; i++) write(`big/node_modules/pkg${i % 40}/file${i}.js`, `module.exports = ${i};\n`.repeat(i % 7));
    const progress: number[] = [];
    const result = await zipSource(join(dir, 'big'), (done) => progress.push(done));
    const files = unzipToText(result.zip);
    expect(Object.keys(files)).toHaveLength(count);
    expect(files['node_modules/pkg3/file43.js']).toBe('module.exports = 43;\n'.repeat(1));
    expect(result.files).toEqual(Object.keys(files).sort());
    expect(progress.at(-1)).toBeGreaterThan(count / 2);
  });

  it('zips a single file alone under its own name, with a handler named after it', async () => {
    write('src/app.mjs', 'export const handler = () => 1;');
    write('src/other.js', 'ignored');
    const result = await zipSource(join(dir, 'src', 'app.mjs'));
    expect(unzipToText(result.zip)).toEqual({ 'app.mjs': 'export const handler = () => 1;' });
    expect(defaultHandler(result)).toBe('app.handler');
  });

  it('follows a link that stays inside the folder, and does not loop on a link back up the tree', async () => {
    write('app/index.js', 'x');
    write('app/vendor/lib.js', 'y');
    symlinkSync('vendor', join(dir, 'app', 'lib-link'));
    mkdirSync(join(dir, 'app', 'deep'));
    symlinkSync('..', join(dir, 'app', 'deep', 'up'));
    symlinkSync(join(dir, 'app', 'index.js'), join(dir, 'app', 'main.js'));
    symlinkSync(join(dir, 'missing'), join(dir, 'app', 'dangling'));
    const result = await zipSource(join(dir, 'app'));
    expect(result.files).toEqual(['index.js', 'lib-link/lib.js', 'main.js', 'vendor/lib.js']);
    expect(result.skipped).toEqual([]);
  });

  it('skips a link to a sibling folder outside, and lists it', async () => {
    write('app/index.js', 'x');
    write('shared/lib.js', 'outside');
    write('shared.js', 'outside');
    symlinkSync(join(dir, 'shared'), join(dir, 'app', 'shared'));
    symlinkSync('../shared.js', join(dir, 'app', 'shared.js'));
    const result = await zipSource(join(dir, 'app'));
    expect(result.files).toEqual(['index.js']);
    expect(result.skipped).toEqual([
      { path: 'shared', reason: 'symbolic link' },
      { path: 'shared.js', reason: 'symbolic link' },
    ]);
  });

  it('skips links to / and /etc without reading anything behind them', async () => {
    write('app/index.js', 'x');
    symlinkSync('/', join(dir, 'app', 'root'));
    symlinkSync('/etc', join(dir, 'app', 'etc'));
    symlinkSync('/etc/passwd', join(dir, 'app', 'passwd'));
    vi.clearAllMocks();
    const result = await zipSource(join(dir, 'app'));
    expect(result.files).toEqual(['index.js']);
    expect(result.skipped.map((s) => s.path)).toEqual(['etc', 'passwd', 'root']);
    const behindLinks = touchedPaths().filter((path) => /\/app\/(root|etc|passwd)(\/|$)|^\/etc/.test(path));
    expect(touchedPaths().length).toBeGreaterThan(0);
    expect(behindLinks).toEqual([]);
  });

  it('follows links into the npm workspace root (packages linked into node_modules), and nowhere above it', async () => {
    write('ws/package.json', JSON.stringify({ name: 'ws', workspaces: ['packages/*'] }));
    write('ws/packages/a/index.js', 'export const a = 1;');
    write('ws/packages/fn/index.js', "import { a } from 'a';");
    write('outside/secret.txt', 'not part of the workspace');
    mkdirSync(join(dir, 'ws', 'packages', 'fn', 'node_modules'));
    symlinkSync('../../a', join(dir, 'ws', 'packages', 'fn', 'node_modules', 'a'));
    symlinkSync('../../../../outside', join(dir, 'ws', 'packages', 'fn', 'node_modules', 'outside'));
    const result = await zipSource(join(dir, 'ws', 'packages', 'fn'));
    expect(result.files).toEqual(['index.js', 'node_modules/a/index.js']);
    expect(result.skipped).toEqual([{ path: 'node_modules/outside', reason: 'symbolic link' }]);
  });

  it('without a workspaces field, a package.json above the folder does not widen what links may reach', async () => {
    write('repo/package.json', JSON.stringify({ name: 'repo' }));
    write('repo/packages/a/index.js', 'a');
    write('repo/packages/fn/index.js', 'fn');
    symlinkSync('../a', join(dir, 'repo', 'packages', 'fn', 'a'));
    expect((await zipSource(join(dir, 'repo', 'packages', 'fn'))).skipped).toEqual([{ path: 'a', reason: 'symbolic link' }]);
  });

  it('skips every .env* file at any depth, and a link whose target is one', async () => {
    write('app/index.js', 'x');
    write('app/.env.local', 'A=1');
    write('app/config/.env.production', 'B=2');
    write('app/node_modules/dep/.envrc', 'C=3');
    write('app/environment.js', 'kept: only dot-env files are secrets files');
    symlinkSync('.env.local', join(dir, 'app', 'settings.txt'));
    const result = await zipSource(join(dir, 'app'));
    expect(result.files).toEqual(['environment.js', 'index.js']);
    expect(result.skipped).toEqual([
      { path: '.env.local', reason: 'secrets file' },
      { path: 'config/.env.production', reason: 'secrets file' },
      { path: 'node_modules/dep/.envrc', reason: 'secrets file' },
      { path: 'settings.txt', reason: 'secrets file' },
    ]);
  });

  it('skips a Stratus data folder whatever its name (it holds stratus.db), and a nested .stratus', async () => {
    write('app/index.js', 'x');
    write('app/data/stratus.db', 'SQLite format 3');
    write('app/data/credentials', '[stratus]');
    write('app/lib/.stratus/credentials', '[stratus]');
    write('app/lib/util.js', 'y');
    write('app/crashed/stratus.db-wal', 'wal');
    write('app/crashed/credentials', '[stratus]');
    write('app/stratus.db.js', 'kept: only the database name itself marks a data folder');
    const result = await zipSource(join(dir, 'app'));
    expect(result.files).toEqual(['index.js', 'lib/util.js', 'stratus.db.js']);
    expect(result.skipped).toEqual([
      { path: 'crashed', reason: 'Stratus data folder' },
      { path: 'data', reason: 'Stratus data folder' },
      { path: 'lib/.stratus', reason: 'Stratus data folder' },
    ]);
  });

  it('refuses to deploy a data folder itself, a .env file, or a file from a data folder', async () => {
    write('data/stratus.db', 'SQLite format 3');
    write('data/credentials', '[stratus]');
    write('app/.env', 'A=1');
    write('app/.env.production', 'A=1');
    await expect(zipSource(join(dir, 'data'))).rejects.toThrow(/data is a Stratus data folder .*; deploy your function's own folder$/);
    await expect(zipSource(join(dir, 'app', '.env'))).rejects.toThrow(/\.env is a secrets file \(\.env\*\), and deploy never uploads one; pass its variables with --env KEY=VALUE/);
    await expect(zipSource(join(dir, 'app', '.env.production'))).rejects.toThrow(/is a secrets file/);
    await expect(zipSource(join(dir, 'data', 'credentials'))).rejects.toThrow(/credentials is inside a Stratus data folder/);
  });

  it('explains a missing source and an empty directory', async () => {
    await expect(zipSource(join(dir, 'nope'))).rejects.toThrow(/nope does not exist; pass a directory or a file to deploy/);
    mkdirSync(join(dir, 'empty', '.git'), { recursive: true });
    writeFileSync(join(dir, 'empty', '.git', 'HEAD'), 'x');
    await expect(zipSource(join(dir, 'empty'))).rejects.toThrow(/has no files to deploy/);
  });
});
