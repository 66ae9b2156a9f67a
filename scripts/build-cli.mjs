#!/usr/bin/env node
// Build: bundles the `stratus` CLI (src/cli/bin.ts and everything it imports, npm dependencies
// included) into one ES module, dist/cli.mjs, so the command starts without compiling TypeScript.
// `npm run build` runs it, and so does `prepare`, which npm runs after `npm ci` and `npm install`.
//
// Dependencies are bundled rather than left external: resolving and loading commander and the
// @smithy packages from node_modules file by file measured about 0.23 s to `--version`, the single
// file about 0.15 s. Not minified, so a stack trace from the CLI still reads.
//
// Beside the bundle it writes cli.inputs.json, the project files it was built from, which
// bin/stratus.js compares with the bundle's age so that it never runs a bundle older than the source.
// Both files are written under a temporary name and renamed, so a CLI starting during a build reads
// either the old bundle or the new one, never half of one.
//
// Usage: node scripts/build-cli.mjs [--outdir <dir>]   (default: dist)
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const flag = process.argv.indexOf('--outdir');
const outdir = resolve(flag >= 0 ? process.argv[flag + 1] : join(root, 'dist'));

const result = await build({
  absWorkingDir: root,
  entryPoints: ['src/cli/bin.ts'],
  outfile: join(outdir, 'cli.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // commander and the @smithy packages are CommonJS and `require` Node's built-ins, which an ES module has no `require` for.
  banner: { js: "import { createRequire as __stratusCreateRequire } from 'node:module';\nconst require = __stratusCreateRequire(import.meta.url);" },
  metafile: true,
  write: false,
  logLevel: 'warning',
});

// Files under node_modules are left out: npm gives them a fixed old mtime, so their age says nothing,
// and `npm ci`/`npm install` (which change them) run this build again anyway.
const inputs = Object.keys(result.metafile.inputs)
  .filter((path) => !path.split('/').includes('node_modules'))
  .sort();
mkdirSync(outdir, { recursive: true });
writeAtomically(join(outdir, 'cli.inputs.json'), `${JSON.stringify({ root: relative(outdir, root) || '.', inputs }, null, 2)}\n`);
for (const file of result.outputFiles) writeAtomically(file.path, file.contents);

function writeAtomically(path, contents) {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, contents);
  renameSync(temporary, path);
}
