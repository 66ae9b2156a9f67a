/** @module Finds the Stratus checkout the CLI runs from, whether from source (src/cli/) or from the bundle (dist/cli.mjs). */
import { existsSync } from 'node:fs';

/**
 * The nearest folder above `from` that holds a package.json: Stratus's own root, two levels above
 * src/cli/ when run from source and one above dist/ when bundled (a fixed `../../` would miss in one of them).
 */
export function packageRoot(from: string | URL = import.meta.url): URL {
  let dir = new URL('./', from);
  for (;;) {
    if (existsSync(new URL('package.json', dir))) return dir;
    const parent = new URL('../', dir);
    if (parent.href === dir.href) throw new Error(`no package.json above ${String(from)}`);
    dir = parent;
  }
}
