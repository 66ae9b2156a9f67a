/**
 * @module Packages a handler as Lambda users do: their files plus the npm packages it needs, copied
 * with every dependency from this checkout's node_modules into the zip's node_modules/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { strToU8, zipSync } from 'fflate';

const ROOT = path.resolve(import.meta.dirname, '../..');

function packageDir(name: string): string {
  const dir = path.join(ROOT, 'node_modules', name);
  if (!fs.existsSync(path.join(dir, 'package.json'))) throw new Error(`test fixture needs the npm package ${name}: add it to devDependencies`);
  return dir;
}

/** The package and everything it depends on (node_modules here is flat, as npm installs it). */
function closure(names: string[]): Set<string> {
  const seen = new Set<string>();
  const visit = (name: string) => {
    if (seen.has(name)) return;
    seen.add(name);
    const pkg = JSON.parse(fs.readFileSync(path.join(packageDir(name), 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep);
  };
  for (const n of names) visit(n);
  return seen;
}

function addTree(files: Record<string, Uint8Array>, dir: string, prefix: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) addTree(files, full, `${prefix}${entry.name}/`);
    else if (entry.isFile()) files[`${prefix}${entry.name}`] = fs.readFileSync(full);
  }
}

/** A zip of `sources` (path -> text) with `packages` and their dependencies under node_modules/. */
export function packageZip(sources: Record<string, string>, packages: string[] = []): Uint8Array {
  const files: Record<string, Uint8Array> = {};
  for (const [name, text] of Object.entries(sources)) files[name] = strToU8(text);
  for (const name of closure(packages)) addTree(files, packageDir(name), `node_modules/${name}/`);
  return zipSync(files, { level: 1 });
}
