/** @module A private temporary folder holding one extracted package for the length of a build. */
import { mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readZipFile, type ZipFile } from './unzip.ts';

const PREFIX = 'stratus-build-';

/**
 * Extracts `files` under a fresh folder in `parent` (default: the system temp folder), runs `work`
 * with the package root, and always removes the folder. The package sits one level down
 * (`<tmp>/package`) so that an empty `package.json` and `tsconfig.json` can sit above it: esbuild
 * looks for both in parent folders, and whatever happens to be in the parent folder must not
 * change how a package builds.
 */
export async function withStagedPackage<T>(zip: Uint8Array, files: readonly ZipFile[], work: (root: string) => Promise<T>, parent = tmpdir()): Promise<T> {
  // realpath: on some systems the temp folder is behind a symlink, and containment checks in the
  // build process compare against the paths esbuild reports.
  await mkdir(parent, { recursive: true, mode: 0o700 });
  const staging = await realpath(await mkdtemp(join(parent, PREFIX)));
  try {
    await writeFile(join(staging, 'package.json'), '{}\n');
    await writeFile(join(staging, 'tsconfig.json'), '{}\n');
    const root = join(staging, 'package');
    await mkdir(root);
    await extract(zip, files, root);
    return await work(root);
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/**
 * Writes each file as a plain file (never a link, whatever the zip's attributes say), inflating
 * one at a time so that memory holds at most one file. Paths were made safe by `listZipFiles`.
 */
async function extract(zip: Uint8Array, files: readonly ZipFile[], root: string): Promise<void> {
  const made = new Set<string>();
  for (const file of files) {
    const target = join(root, file.path);
    const folder = dirname(target);
    if (!made.has(folder)) {
      await mkdir(folder, { recursive: true });
      made.add(folder);
    }
    await writeFile(target, await readZipFile(zip, file), { flag: 'wx' });
  }
}

/**
 * Removes build folders a crashed or killed server left in `parent`: every build folder is
 * removed when its build ends, so at start-up any that remain are leftovers. Returns how many.
 */
export async function removeStaleBuilds(parent: string): Promise<number> {
  const names = await readdir(parent).catch(() => [] as string[]);
  const stale = names.filter((name) => name.startsWith(PREFIX));
  await Promise.all(stale.map((name) => rm(join(parent, name), { recursive: true, force: true })));
  return stale.length;
}
