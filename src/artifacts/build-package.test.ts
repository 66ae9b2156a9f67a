/** @module End-to-end tests of `buildPackage`: zips as users upload them, bundles as engines run them. */
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { strToU8, zipSync } from 'fflate';
import { isStratusError, type StratusError } from '../shared/errors.ts';
import { buildPackage, type BuiltPackage } from './index.ts';

function zipOf(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

/** Runs a bundle the way a CommonJS wrapper would, and returns its `module.exports`. */
function load(built: BuiltPackage): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  new Function('module', 'exports', 'require', built.bundle)(module, module.exports, createRequire(import.meta.url));
  return module.exports;
}

async function handlerOf(files: Record<string, string>, handler: string): Promise<(event?: unknown) => unknown> {
  const built = await buildPackage(zipOf(files), handler);
  const fn = load(built)[built.handlerExport];
  expect(typeof fn).toBe('function');
  return fn as (event?: unknown) => unknown;
}

async function failure(promise: Promise<unknown>): Promise<StratusError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStratusError(error)) throw new Error(`expected a StratusError, got ${String(error)}`);
  return error;
}

describe('buildPackage: code that should build', () => {
  it('bundles plain CommonJS and reports Lambda-style hashes', async () => {
    const zip = zipOf({ 'index.js': 'exports.handler = async (event) => ({ got: event });' });
    const built = await buildPackage(zip, 'index.handler');
    expect(built.entryFile).toBe('index.js');
    expect(built.handlerExport).toBe('handler');
    expect(built.codeSize).toBe(zip.byteLength);
    expect(built.codeSha256).toBe(createHash('sha256').update(zip).digest('base64'));
    expect(built.bundleSha256).toBe(createHash('sha256').update(built.bundle).digest('hex'));
    const handler = load(built).handler as (e: unknown) => Promise<unknown>;
    await expect(handler({ a: 1 })).resolves.toEqual({ got: { a: 1 } });
  });

  it('puts ESM exports on module.exports', async () => {
    const handler = await handlerOf({ 'index.mjs': 'export const handler = (e) => e * 2;' }, 'index.handler');
    expect(handler(21)).toBe(42);
  });

  it('compiles TypeScript, types and all', async () => {
    const source = 'interface Event { n: number }\nexport function main(e: Event): number { return e.n + 1; }\n';
    const handler = await handlerOf({ 'app.ts': source }, 'app.main');
    expect(handler({ n: 1 })).toBe(2);
  });

  it('follows relative imports between files of the zip', async () => {
    const handler = await handlerOf(
      {
        'index.js': "import { greet } from './lib/greet.js';\nexport const handler = () => greet('Ada');",
        'lib/greet.js': "const { suffix } = require('./suffix.cjs');\nexports.greet = (name) => 'hello ' + name + suffix;",
        'lib/suffix.cjs': "module.exports = { suffix: '!' };",
      },
      'index.handler',
    );
    expect(handler()).toBe('hello Ada!');
  });

  it('bundles a dependency from node_modules/ in the zip', async () => {
    const handler = await handlerOf(
      {
        'index.js': "const leftPad = require('left-pad');\nexports.handler = () => leftPad('7', 3, '0');",
        'node_modules/left-pad/package.json': '{ "name": "left-pad", "main": "lib/pad.js" }',
        'node_modules/left-pad/lib/pad.js': 'module.exports = (s, n, c) => c.repeat(Math.max(0, n - s.length)) + s;',
      },
      'index.handler',
    );
    expect(handler()).toBe('007');
  });

  it('finds a handler in a nested folder, trying extensions in order', async () => {
    const built = await buildPackage(
      zipOf({ 'src/api/users.ts': 'export const list = () => "ts";', 'src/api/users.mjs': 'export const list = () => "mjs";' }),
      'src/api/users.list',
    );
    expect(built.entryFile).toBe('src/api/users.mjs');
    expect((load(built).list as () => string)()).toBe('mjs');
  });

  it('bundles Node built-ins from the compatibility modules, naming no host path', async () => {
    const built = await buildPackage(
      zipOf({ 'index.js': "const path = require('node:path');\nconst { join } = require('path');\nexports.handler = () => [path.join('a', '..', 'b'), join('c')];" }),
      'index.handler',
    );
    expect(built.bundle).not.toMatch(/require\("(node:)?path"\)/);
    expect(built.bundle).toContain('node:compat/path.js');
    expect(built.bundle).not.toContain('node_modules/@jspm');
    expect(built.bundle).not.toContain(process.cwd());
    // Running it is the isolate's business (test/integration/node-builtins.test.ts): the polyfills expect its globals.
  });

  it('adds nothing to a bundle that uses no built-in, and Buffer only where it is named', async () => {
    const hello = await buildPackage(zipOf({ 'index.js': 'exports.handler = async () => 1;' }), 'index.handler');
    expect(hello.bundle.length).toBeLessThan(200);
    const withBuffer = await buildPackage(zipOf({ 'index.js': 'exports.handler = async () => Buffer.from("a").length;' }), 'index.handler');
    expect(withBuffer.bundle).toContain('node:compat/buffer.js');
  });

  it('does not put the temporary folder in the bundle', async () => {
    const built = await buildPackage(zipOf({ 'a/b.js': 'exports.h = () => __filename;' }), 'a/b.h');
    expect(built.bundle).not.toContain(tmpdir());
    expect(built.bundle).not.toContain('stratus-build-');
  });
});

describe('buildPackage: code that should not build', () => {
  it('reports a syntax error as file:line:column', async () => {
    const error = await failure(buildPackage(zipOf({ 'index.js': 'const a = 1;\nfunction f() {\n  let y = 2 x;\n}\n' }), 'index.handler'));
    expect(error.code).toBe('CODE_BUILD_FAILED');
    expect(error.message).toContain('index.js:3:13: Expected ";" but found "x"');
    expect(error.message).not.toContain(tmpdir());
  });

  it('reports an unresolvable relative import where it is', async () => {
    const error = await failure(buildPackage(zipOf({ 'lib/index.ts': "\nimport { x } from './missing';\nexport const h = x;" }), 'lib/index.h'));
    expect(error.code).toBe('CODE_BUILD_FAILED');
    expect(error.message).toContain('lib/index.ts:2:19: Could not resolve "./missing"');
  });

  it('says where a missing package has to be', async () => {
    const error = await failure(buildPackage(zipOf({ 'index.js': "require('left-pad');" }), 'index.handler'));
    expect(error.message).toContain('Could not resolve "left-pad" (add the package to node_modules/ in the zip)');
  });

  it('refuses imports that leave the package', async () => {
    const error = await failure(buildPackage(zipOf({ 'index.js': "module.exports = require('/etc/hostname');" }), 'index.handler'));
    expect(error.code).toBe('CODE_BUILD_FAILED');
    expect(error.message).toContain('resolves to a file outside the package');
    const up = await failure(buildPackage(zipOf({ 'index.js': "require('../../../../../../../etc/hostname');" }), 'index.handler'));
    expect(up.message).toContain('resolves to a file outside the package');
  });

  it('does not pick up packages or config from folders above the package', async () => {
    // A hostile neighbour of the temp folder: node_modules, package.json and tsconfig.json there
    // must not change what a package resolves to or how it compiles.
    const outer = await mkdtemp(join(tmpdir(), 'stratus-test-'));
    const saved = process.env.TMPDIR;
    try {
      await mkdir(join(outer, 'node_modules', 'host-secret'), { recursive: true });
      await writeFile(join(outer, 'node_modules', 'host-secret', 'index.js'), 'module.exports = "secret";');
      await writeFile(join(outer, 'tsconfig.json'), '{ "compilerOptions": { "baseUrl": ".", "paths": { "alias": ["node_modules/host-secret"] } } }');
      process.env.TMPDIR = outer;
      const error = await failure(buildPackage(zipOf({ 'index.js': "exports.handler = () => require('host-secret');" }), 'index.handler'));
      expect(error.message).toContain('index.js:1:33: "host-secret" resolves to a file outside the package');
      const aliased = await failure(buildPackage(zipOf({ 'index.ts': "import s from 'alias';\nexport const handler = () => s;" }), 'index.handler'));
      expect(aliased.message).toContain('Could not resolve "alias"');
      // The staging folder is gone after success and after failure alike.
      expect((await readdir(outer)).sort()).toEqual(['node_modules', 'tsconfig.json']);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      await rm(outer, { recursive: true, force: true });
    }
  });

  it('names the handler, the files looked for and the files present when the handler file is missing', async () => {
    const error = await failure(buildPackage(zipOf({ 'main.js': '', 'lib/util.js': '', 'node_modules/x/index.js': '' }), 'index.handler'));
    expect(error.code).toBe('CODE_HANDLER_NOT_FOUND');
    expect(error.message).toContain('"index.handler"');
    expect(error.message).toContain('index.js, index.mjs, index.cjs, index.ts, index.mts, index.cts');
    expect(error.message).toContain('The zip has: main.js, lib/util.js (and 1 more)');
  });

  it('spots a zip of the folder instead of its contents', async () => {
    const error = await failure(buildPackage(zipOf({ 'my-fn/index.js': '' }), 'index.handler'));
    expect(error.code).toBe('CODE_HANDLER_NOT_FOUND');
    expect(error.message).toContain('set Handler to "my-fn/index.handler"');
  });

  it('refuses bytes that are not a zip', async () => {
    const error = await failure(buildPackage(strToU8('definitely not a zip file, just text'), 'index.handler'));
    expect(error.code).toBe('CODE_INVALID_ZIP');
    expect(error.message).toBe('Could not unzip the uploaded file. Please check your file, then try to upload again.');
  });

  it('refuses an empty zip and a zip of folders only', async () => {
    for (const zip of [zipSync({}), zipSync({ 'src/': new Uint8Array(0) })]) {
      const error = await failure(buildPackage(zip, 'index.handler'));
      expect(error.code).toBe('CODE_INVALID_ZIP');
      expect(error.message).toContain('The zip has no files');
    }
  });

  it('refuses a zip bomb before inflating it, and one whose headers lie while inflating', async () => {
    const bomb = zipSync({ 'index.js': strToU8('exports.handler = () => 1;'), 'padding.bin': new Uint8Array(8 * 1024 * 1024) });
    const error = await failure(buildPackage(bomb, 'index.handler', { maxUnzippedBytes: 1024 * 1024 }));
    expect(error.code).toBe('CODE_TOO_LARGE');
    expect(error.message).toContain('Unzipped size must be smaller than 1048576 bytes');
    // Same bomb with its declared size forged down to 10 bytes: zlib stops at the declared size.
    const liar = bomb.slice();
    const view = new DataView(liar.buffer);
    for (let at = 0; at + 4 <= liar.length; at++) {
      if (view.getUint32(at, true) !== 0x02014b50 || view.getUint16(at + 28, true) !== 'padding.bin'.length) continue;
      view.setUint32(at + 24, 10, true);
      view.setUint32(view.getUint32(at + 42, true) + 22, 10, true);
    }
    const lied = await failure(buildPackage(liar, 'index.handler', { maxUnzippedBytes: 1024 * 1024 }));
    expect(lied.code).toBe('CODE_INVALID_ZIP');
    expect(lied.message).toContain('"padding.bin" unzips to a different size than its header declares');
  });

  it('refuses entries that would land outside the package', async () => {
    for (const name of ['../index.js', 'a/../../index.js', '/index.js', 'C:/index.js', 'lib\\index.js']) {
      const error = await failure(buildPackage(zipOf({ [name]: 'exports.handler = () => 1;', 'index.js': '' }), 'index.handler'));
      expect(error.code).toBe('CODE_INVALID_ZIP');
      expect(error.message).toContain(name);
    }
  });

  it('validates the handler before looking at the zip', async () => {
    const notAZip = new Uint8Array([1, 2, 3]);
    for (const handler of ['', 'index', 'index.', '.handler', 'my index.handler', 'x'.repeat(127) + '.h', '../index.handler', '/abs/index.handler']) {
      const error = await failure(buildPackage(notAZip, handler));
      expect(error.code).toBe('REQUEST_INVALID_PARAMETER');
      expect(error.message).toMatch(/^Handler: /);
    }
  });
});
