/** @module A private folder holding one uploaded package for the length of a build: the zip, and the folder the bundling process extracts it into. */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PREFIX = 'stratus-build-';

/** Where one build happens: `root` is the (still empty) package folder, `zipFile` the upload beside it. */
export interface Staged {
  root: string;
  zipFile: string;
}

/**
 * Makes a fresh folder in `parent` (default: the system temp folder) holding the zip and an empty
 * package folder, runs `work`, and always removes the folder. The package sits one level down
 * (`<tmp>/package`) so that an empty `package.json` and `tsconfig.json` can sit above it: esbuild
 * looks for both in parent folders, and whatever happens to be in the parent folder must not
 * change how a package builds. The zip sits outside the package, so no import can reach it.
 */
export async function withStagedPackage<T>(zip: Uint8Array, work: (staged: Staged) => Promise<T>, parent = tmpdir()): Promise<T> {
  await mkdir(parent, { recursive: true, mode: 0o700 });
  // realpath: on some systems the temp folder is behind a symlink, and containment checks in the
  // build process compare against the paths esbuild reports.
  const staging = await realpath(await mkdtemp(join(parent, PREFIX)));
  try {
    await writeFile(join(staging, 'package.json'), '{}\n');
    await writeFile(join(staging, 'tsconfig.json'), '{}\n');
    const zipFile = join(staging, 'upload.zip');
    await writeFile(zipFile, zip);
    const root = join(staging, 'package');
    await mkdir(root);
    return await work({ root, zipFile });
  } finally {
    await rm(staging, { recursive: true, force: true });
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

/**
 * Where a server keeps its build folders: in memory (/dev/shm) where the system has it, since a
 * package is thousands of small files and creating them on a disk costs about 0.7 ms each here;
 * else in the data folder. Named after the data folder, so that servers sharing a machine each
 * clean only their own leftovers.
 */
export function defaultBuildDir(dataDir: string): string {
  const shm = '/dev/shm';
  if (process.platform === 'linux' && existsSync(shm)) return join(shm, `stratus-builds-${createHash('sha256').update(dataDir).digest('hex').slice(0, 16)}`);
  return join(dataDir, 'builds');
}
