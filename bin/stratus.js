#!/usr/bin/env node
// The `stratus` command. It runs dist/cli.mjs, the CLI bundled by `npm run build` (which `prepare`
// runs after `npm ci` and `npm install`): one plain JavaScript file starts in about 0.15 s, where
// compiling the TypeScript sources with tsx at every start took 0.6 s or more.
//
// It falls back to the sources through tsx when there is no bundle (installed with
// --ignore-scripts) or when any source file it was built from is newer than it or gone (after an
// edit or a pull without a rebuild): a stale bundle would run yesterday's CLI against today's
// server, and tests that run this file from a working tree would test old code without saying so.
// The CLI never loads isolated-vm, so no --no-node-snapshot is needed.
import { readFileSync, statSync } from 'node:fs';

const bundle = new URL('../dist/cli.mjs', import.meta.url);

if (bundleIsCurrent()) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/bin.ts');
}

/** True when the bundle exists and none of the project files listed as its inputs changed since it was written. */
function bundleIsCurrent() {
  try {
    const built = statSync(bundle).mtimeMs;
    const { root, inputs } = JSON.parse(readFileSync(new URL('cli.inputs.json', bundle), 'utf8'));
    const base = new URL(`${root}/`, bundle);
    return inputs.length > 0 && inputs.every((input) => statSync(new URL(input, base)).mtimeMs <= built);
  } catch {
    // No bundle, no list, or a listed source is gone: the sources are the truth.
    return false;
  }
}
