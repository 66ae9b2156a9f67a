/** @module Packs a deploy source (a directory tree or one file) into a deterministic zip with fflate. */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { CliError } from './errors.ts';
import { isDataFolder, isInside, isSecretsFile, workspaceRoot, type SkippedPath } from './source-rules.ts';

/**
 * Every entry gets the same timestamp (the earliest a zip can hold), so the same files always give
 * the same bytes and the same CodeSha256: redeploying unchanged code is recognisable as such.
 * Built from local-time parts because zip stores DOS local time.
 */
const FIXED_MTIME = new Date(1980, 0, 1, 0, 0, 0);

export interface ZippedCode {
  zip: Uint8Array;
  /** Archive paths, sorted, as stored. */
  files: string[];
  /** True when the source was a single file (zipped alone under its own name). */
  singleFile: boolean;
  /** What was left out for safety, sorted by path (`.git` is not listed: it is never code). */
  skipped: SkippedPath[];
}

/**
 * Zips `source`: a directory recursively (node_modules included; `.git`, secrets files, Stratus data
 * folders and links leaving the folder skipped), or a single file.
 */
export async function zipSource(source: string): Promise<ZippedCode> {
  let info;
  try {
    info = await stat(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${source} does not exist; pass a directory or a file to deploy` : `cannot read ${source}: ${(err as Error).message}`);
  }
  const entries = new Map<string, Uint8Array>();
  const skipped: SkippedPath[] = [];
  if (info.isDirectory()) {
    const root = await realpath(source);
    await refuseDataFolder(source, root);
    const workspace = await workspaceRoot(root);
    const walk: Walk = { out: entries, skipped, roots: workspace ? [root, workspace] : [root], open: new Set([root]) };
    await collectDirectory(root, '', walk);
    if (entries.size === 0) throw new CliError(`${source} has no files to deploy`);
  } else if (info.isFile()) {
    await refuseSecretFile(source);
    entries.set(basename(source), await readFile(source));
  } else {
    throw new CliError(`${source} is neither a directory nor a regular file`);
  }
  const files = [...entries.keys()].sort();
  const tree: Zippable = {};
  for (const path of files) tree[path] = [entries.get(path)!, { mtime: FIXED_MTIME }];
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { zip: zipSync(tree, { level: 9 }), files, singleFile: !info.isDirectory(), skipped };
}

interface Walk {
  out: Map<string, Uint8Array>;
  skipped: SkippedPath[];
  /** Real paths a link may point into: the deployed folder and its npm workspace root. */
  roots: string[];
  /** Real paths of the directories being walked, so a link back up the tree cannot loop. */
  open: Set<string>;
}

/**
 * Walks a directory by real paths. A link is followed only when its real target stays inside
 * `walk.roots` (npm workspaces link packages into node_modules); any other target is never read.
 */
async function collectDirectory(dir: string, prefix: string, walk: Walk): Promise<void> {
  for (const child of await readdir(dir, { withFileTypes: true })) {
    const path = prefix + child.name;
    let real = join(dir, child.name);
    let kind: { isFile(): boolean; isDirectory(): boolean } = child;
    if (child.isSymbolicLink()) {
      const target = await realpath(real).catch(() => undefined);
      if (target === undefined) continue; // A dangling link has nothing to ship.
      if (!walk.roots.some((root) => isInside(target, root))) {
        walk.skipped.push({ path, reason: 'symbolic link' });
        continue;
      }
      real = target;
      kind = await stat(target);
    }
    // A link is judged by its own name and its target's: `config -> ../.env` is still a secrets file.
    const names = [child.name, basename(real)];
    if (kind.isFile()) {
      if (names.some(isSecretsFile)) walk.skipped.push({ path, reason: 'secrets file' });
      else walk.out.set(path, await readFile(real));
    } else if (kind.isDirectory()) {
      if (child.name === '.git' || walk.open.has(real)) continue;
      if (isDataFolder(names, await readdir(real))) {
        walk.skipped.push({ path, reason: 'Stratus data folder' });
        continue;
      }
      walk.open.add(real);
      await collectDirectory(real, `${path}/`, walk);
      walk.open.delete(real);
    }
  }
}

/** Deploying the data folder itself would upload every account's key: refuse rather than skip everything. */
async function refuseDataFolder(source: string, real: string): Promise<void> {
  if (isDataFolder([basename(real)], await readdir(source))) {
    throw new CliError(
      `${source} is a Stratus data folder (the server keeps its database and credentials, with every account's secret key, there); deploy your function's own folder`,
    );
  }
}

/** Naming a secrets file explicitly is still a mistake worth stopping: its values belong in --env. */
async function refuseSecretFile(source: string): Promise<void> {
  const real = await realpath(source);
  if (isSecretsFile(basename(source)) || isSecretsFile(basename(real))) {
    throw new CliError(`${source} is a secrets file (.env*), and deploy never uploads one; pass its variables with --env KEY=VALUE and deploy your code instead`);
  }
  const folder = dirname(real);
  if (isDataFolder([basename(folder)], await readdir(folder).catch(() => []))) {
    throw new CliError(`${source} is inside a Stratus data folder (next to the server's database and credentials); deploy your function's own code`);
  }
}

/** The default handler for a source: `index.handler`, or `<file>.handler` when deploying one file. */
export function defaultHandler(source: ZippedCode): string {
  if (!source.singleFile) return 'index.handler';
  const file = source.files[0]!;
  return `${basename(file, extname(file))}.handler`;
}

/** Human-readable size: bytes, KiB or MiB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
