/** @module Hostile packages at deploy time: every way a zip can make the bundler read a host file, spend the node's CPU, or grow a huge bundle. */
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { buildPackage } from '../../src/artifacts/index.ts';
import { isStratusError, type StratusError } from '../../src/shared/errors.ts';

const CANARY = 'canary-7f3e9a0c-host-secret';
let host: string;
let staging: string;

/** A host folder beside the build folders, holding what an attacker wants: a secret file, a fake data folder, a node_modules. */
beforeAll(async () => {
  host = await mkdtemp(join(tmpdir(), 'stratus-hostile-'));
  staging = join(host, 'builds');
  await mkdir(join(host, 'data'), { recursive: true });
  await writeFile(join(host, 'data', 'credentials'), `[stratus]\naws_secret_access_key = ${CANARY}\n`);
  await writeFile(join(host, 'data', 'secret.txt'), CANARY);
  await writeFile(join(host, 'data', 'secret.json'), `{ "compilerOptions": {} } ${CANARY}`);
  await mkdir(join(host, 'leaky'), { recursive: true });
  await writeFile(join(host, 'leaky', 'package.json'), `{ "main": "x.js" ${CANARY} }`);
  await mkdir(join(host, 'node_modules', 'evil-config'), { recursive: true });
  await writeFile(join(host, 'node_modules', 'evil-config', 'tsconfig.json'), `{ ${CANARY} }`);
  await mkdir(join(host, 'builds', 'node_modules', 'evil-config'), { recursive: true });
  await writeFile(join(host, 'builds', 'node_modules', 'evil-config', 'tsconfig.json'), `{ ${CANARY} }`);
  process.env.STRATUS_TEST_CANARY = CANARY;
});

afterAll(async () => {
  delete process.env.STRATUS_TEST_CANARY;
  await rm(host, { recursive: true, force: true });
});

function zipOf(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

/** Builds as a deploy would; returns the bundle, or the error, and checks neither carries anything of the host. */
async function attempt(files: Record<string, string>, opts: Parameters<typeof buildPackage>[2] = {}): Promise<{ bundle?: string; error?: StratusError }> {
  let bundle: string | undefined;
  let error: StratusError | undefined;
  try {
    bundle = (await buildPackage(zipOf(files), 'index.handler', { stagingDir: staging, ...opts })).bundle;
  } catch (e) {
    if (!isStratusError(e)) throw e;
    error = e;
  }
  // The attacker may see paths it wrote itself quoted back, but nothing it did not know: not the
  // content of a host file, not where the build ran, not a process id.
  for (const text of [bundle ?? '', error?.message ?? '']) {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(staging);
    expect(text).not.toMatch(/\/proc\/\d+/);
  }
  // The build folder is gone whatever happened.
  expect((await readdir(staging)).filter((n) => n.startsWith('stratus-build-'))).toEqual([]);
  return { bundle, error };
}

describe('a hostile package cannot read host files at deploy time', () => {
  it('through a pattern import that expands to files outside the package', async () => {
    const { error } = await attempt({
      'index.js': "exports.handler = async (e) => require('../../../data/' + e.name + '.txt');",
    });
    expect(error?.code).toBe('CODE_BUILD_FAILED');
    expect(error?.message).toContain("index.js:1:40: '../../../data/' + e.name + '.txt' resolves to a file outside the package");
  });

  it('through a template import with a text attribute, aimed at /proc', async () => {
    for (const source of [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: handler source; the template literal is the guest's own.
      'exports.handler = async (e) => import(`../../../../../../../../../proc/self/${e.f}`, { with: { type: "text" } });',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: handler source; the template literal is the guest's own.
      'exports.handler = async (e) => import(`../../../../../../../../../proc/${e.pid}/environ`, { with: { type: "text" } });',
      'exports.handler = async (e) => require("../../../../../../../../../proc/" + e.pid + "/environ");',
    ]) {
      const { error, bundle } = await attempt({ 'index.js': source });
      // Refused, or left to run time (where an isolate has no file system): either way nothing was read.
      if (error) expect(error.code).toBe('CODE_BUILD_FAILED');
      else expect(bundle).not.toMatch(/STRATUS_TEST_CANARY|PATH=/);
    }
  });

  it('through plain relative and absolute imports, with the same answer whether the file exists or not', async () => {
    const there = await attempt({ 'index.js': "module.exports = require('../../../data/secret.txt');" });
    const notThere = await attempt({ 'index.js': "module.exports = require('../../../data/nothing.txt');" });
    const absolute = await attempt({ 'index.js': `module.exports = require('${join(host, 'data', 'secret.txt')}');` });
    const missing = await attempt({ 'index.js': `module.exports = require('${join(host, 'data', 'nothing.txt')}');` });
    for (const { error } of [there, notThere, absolute, missing]) expect(error?.message).toContain('resolves to a file outside the package');
    expect(there.error?.message.replace('secret', 'nothing')).toBe(notThere.error?.message);
    expect(absolute.error?.message.replace('secret', 'nothing')).toBe(missing.error?.message);
  });

  it('through a package path with ".." in it, which esbuild resolves from inside node_modules', async () => {
    // From the importer, twelve folders down, the path stays inside the package on its face; from
    // node_modules/x, where esbuild resolves it, it climbs to the file system root and down to the host.
    const deep = 'a/b/c/d/e/f/g/h/i/j/k/l';
    const up = '../'.repeat(12) + host.slice(1) + '/leaky';
    const { error } = await attempt({
      'node_modules/x/index.js': 'module.exports = 1;',
      'index.js': `exports.handler = async () => require('./${deep}/i.js');`,
      [`${deep}/i.js`]: `module.exports = require('x/${up}');`,
    });
    expect(error?.code).toBe('CODE_BUILD_FAILED');
    expect(error?.message).toContain('resolves to a file outside the package');
  });

  it('through pattern imports used to count or list host files: one answer, whatever is there', async () => {
    const up = '../'.repeat(24);
    const answers = [];
    for (const dir of ['etc', 'etc-does-not-exist', 'proc']) {
      const { error } = await attempt({ 'index.js': `exports.handler = async (e) => require('${up}${dir}/' + e.x);` });
      expect(error?.code).toBe('CODE_BUILD_FAILED');
      expect(error?.message).not.toMatch(/and \d+ more/);
      answers.push(error?.message.replace(dir, 'DIR'));
    }
    expect(new Set(answers).size).toBe(1);
    // esbuild walks the host folders a pattern names (/proc is large) before any plugin sees a path:
    // 10-20 s alone, up to 45 s on a loaded machine. The answer is what is tested, not the time.
  }, 120_000);

  it('through tsconfig "extends" aimed at a host file, a host package, or up the tree', async () => {
    for (const extend of [join(host, 'data', 'secret.json'), '../../../data/secret.json', '../../../../../../../../etc/passwd', 'evil-config', 'evil-config/tsconfig.json']) {
      const { error } = await attempt({ 'index.ts': 'export const handler = async () => 1;', 'tsconfig.json': JSON.stringify({ extends: extend }) });
      expect(error?.code).toBe('CODE_BUILD_FAILED');
      expect(error?.message).toMatch(/tsconfig\.json: "extends" ".*" (is an absolute path|points outside the package|names no file inside the package)/);
    }
  });

  it('through tsconfig baseUrl and paths aimed outside the package', async () => {
    for (const compilerOptions of [{ baseUrl: '../..' }, { paths: { secret: ['../../data/secret.txt'] } }, { baseUrl: '.', paths: { x: ['/etc/passwd'] } }]) {
      const { error } = await attempt({
        'index.ts': "import s from 'secret';\nexport const handler = async () => s;",
        'jsconfig.json': '{}',
        'tsconfig.json': JSON.stringify({ compilerOptions }),
      });
      expect(error?.code).toBe('CODE_BUILD_FAILED');
      expect(error?.message).toContain('points outside the package');
    }
  });

  it('still honours a tsconfig that extends a file or a package inside the zip', async () => {
    const { bundle, error } = await attempt({
      'index.ts': "import { z } from '@lib/z';\nexport const handler = async () => z;",
      'lib/z.ts': 'export const z = 42;',
      'tsconfig.json': '// comments and trailing commas, as tsc allows\n{ "extends": "./config/base", }',
      'config/base.json': '{ "extends": "shared-config/tsconfig.json", "compilerOptions": { "paths": { "@lib/*": ["../lib/*"] } } }',
      'node_modules/shared-config/tsconfig.json': '{ "compilerOptions": { "experimentalDecorators": true } }',
    });
    expect(error).toBeUndefined();
    expect(bundle).toContain('42');
  });
});

// Plain JavaScript without declarations (the bundling process loads it without a TypeScript loader).
const BUILTINS = '../../src/artifacts/node-compat/builtins.js';
const { COMPAT_ROOTS, PROVIDED } = (await import(BUILTINS)) as { COMPAT_ROOTS: string[]; PROVIDED: Map<string, string> };

describe('the Node.js compatibility modules the bundler may read besides the package', () => {
  const installed = realpathSync(fileURLToPath(new URL('../..', import.meta.url)));
  const compat = COMPAT_ROOTS.map((dir) => realpathSync(dir));

  it('are reachable by built-in name only: not by path, package name, query suffix or an odd node: subpath', async () => {
    const toCompat = (dir: string, file: string) => `${'../'.repeat(24)}${dir.slice(1)}/${file}`;
    for (const specifier of [
      toCompat(compat[0]!, 'fs.js'),
      toCompat(compat[1]!, 'os.js'),
      '@jspm/core/nodelibs/browser/fs.js',
      'node:fs/../../../../etc/passwd',
      'node:crypto/../../../../../package.json',
      '..?x',
      '..#x',
      'fs/../../x',
    ]) {
      for (const source of [`module.exports = require(${JSON.stringify(specifier)});`, `export { default } from ${JSON.stringify(specifier)} with { type: 'text' };`]) {
        const { error, bundle } = await attempt({ 'index.mjs': `${source}\nexport const handler = async () => 1;` });
        expect(error?.code, specifier).toBe('CODE_BUILD_FAILED');
        expect(bundle).toBeUndefined();
        // Quoting back a path the package wrote itself is fine; naming where Stratus is installed is not.
        if (![installed, ...compat].some((dir) => specifier.includes(dir.slice(1)))) for (const dir of [installed, ...compat]) expect(error?.message).not.toContain(dir);
      }
    }
  }, 60_000);

  it('leave no host path in a bundle that imports every one of them', async () => {
    const source = [...PROVIDED.keys()].map((name, i) => `const m${i} = require('node:${name}');`).join('\n');
    const { bundle, error } = await attempt({ 'index.js': `${source}\nexports.handler = async () => 1;` });
    expect(error).toBeUndefined();
    expect(bundle).toContain('node:compat/');
    for (const dir of [installed, ...compat]) expect(bundle).not.toContain(dir);
    expect(bundle).not.toMatch(/node_modules|\.\.\/\.\.\/|\/src\/artifacts/);
  }, 60_000);
});

describe('a hostile package cannot take the node down at deploy time', () => {
  it('is refused when its bundle would be far larger than its zip', async () => {
    // 40 MB of one repeated line compresses to about 40 KB.
    const { error } = await attempt({ 'index.js': "exports.handler = async () => require('./data.txt').length;", 'data.txt': 'x'.repeat(40 * 1024 * 1024) });
    expect(error?.code).toBe('CODE_TOO_LARGE');
    expect(error?.message).toMatch(/over the limit of \d+ bytes/);
  });

  it('is stopped at its wall-clock limit', async () => {
    const { error } = await attempt({ 'index.js': 'exports.handler = async () => 1;' }, { buildWallMs: 1 });
    expect(error?.code).toBe('CODE_BUILD_FAILED');
    expect(error?.message).toContain('could not be bundled within');
  });

  it('is stopped when the client goes away', async () => {
    const controller = new AbortController();
    const pending = attempt({ 'index.js': 'exports.handler = async () => 1;' }, { signal: controller.signal });
    controller.abort();
    const { error } = await pending;
    expect(error?.code).toBe('REQUEST_ABORTED');
  });
});

describe('build errors in the compatibility modules', () => {
  it('name the built-in, never where Stratus is installed', async () => {
    const { buildPackage } = await import('../../src/artifacts/index.ts');
    const { zipSync, strToU8 } = await import('fflate');
    const error = await buildPackage(
      zipSync({ 'index.mjs': strToU8("import { noSuchExport } from 'node:events';\nexport const handler = async () => noSuchExport;") }),
      'index.handler',
    ).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toMatch(/No matching export in "node:compat\/events\.js" for import "noSuchExport"/);
    expect(error?.message).not.toMatch(/node_modules|\/work\/|\.\.\//);
  });
});
