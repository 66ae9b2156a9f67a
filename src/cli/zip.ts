/**
 * @module Packs a deploy source (a directory tree or one file) into a deterministic zip.
 *
 * The tree is walked and read with synchronous file calls: for thousands of small files (a
 * node_modules) they took a seventh of the time of `fs/promises`, whose every read is several
 * round trips through the thread pool, and the CLI has nothing else to do meanwhile. A large
 * package is read and compressed on worker threads when cores are idle (zip-workers.ts).
 */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { CliError } from './errors.ts';
import { isDataFolder, isInside, isSecretsFile, workspaceRoot, type SkippedPath } from './source-rules.ts';
import { compressInWorkers, compressionThreads } from './zip-workers.ts';
import { ZipWriter } from './zip-writer.ts';

export interface ZippedCode {
  zip: Uint8Array;
  /** Archive paths, sorted, as stored. */
  files: string[];
  /** True when the source was a single file (zipped alone under its own name). */
  singleFile: boolean;
  /** What was left out for safety, sorted by path (`.git` is not listed: it is never code). */
  skipped: SkippedPath[];
}

/** Called now and then while files are read and compressed (synchronously when they are compressed on the main thread). */
export type ZipProgress = (filesDone: number, filesTotal: number) => void;

/**
 * Zips `source`: a directory recursively (node_modules included; `.git`, secrets files, Stratus data
 * folders and links leaving the folder skipped), or a single file.
 */
export async function zipSource(source: string, onProgress?: ZipProgress): Promise<ZippedCode> {
  let info;
  try {
    info = statSync(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${source} does not exist; pass a directory or a file to deploy` : `cannot read ${source}: ${(err as Error).message}`);
  }
  // Archive path -> the real path its bytes are read from.
  const entries = new Map<string, string>();
  const skipped: SkippedPath[] = [];
  if (info.isDirectory()) {
    const root = realpathSync(source);
    refuseDataFolder(source, root);
    const workspace = await workspaceRoot(root);
    const walk: Walk = { out: entries, skipped, roots: workspace ? [root, workspace] : [root], open: new Set([root]) };
    collectDirectory(root, '', walk);
    if (entries.size === 0) throw new CliError(`${source} has no files to deploy`);
  } else if (info.isFile()) {
    refuseSecretFile(source);
    entries.set(basename(source), source);
  } else {
    throw new CliError(`${source} is neither a directory nor a regular file`);
  }
  const files = [...entries.keys()].sort();
  const writer = new ZipWriter();
  const threads = compressionThreads(files.length);
  if (threads > 0) {
    const compressed = await compressInWorkers(
      files.map((path) => ({ path, real: entries.get(path)! })),
      threads,
      onProgress,
    );
    files.forEach((path, index) => {
      writer.addCompressed(path, compressed[index]!);
    });
  } else {
    files.forEach((path, index) => {
      writer.add(path, readSource(path, entries.get(path)!));
      if (onProgress && index % 256 === 255) onProgress(index + 1, files.length);
    });
  }
  skipped.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { zip: writer.finish(), files, singleFile: !info.isDirectory(), skipped };
}

function readSource(path: string, real: string): Buffer {
  try {
    return readFileSync(real);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as Error).message}`);
  }
}

interface Walk {
  /** Archive path -> real path of the file. */
  out: Map<string, string>;
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
function collectDirectory(dir: string, prefix: string, walk: Walk): void {
  for (const child of readdirSync(dir, { withFileTypes: true })) {
    const path = prefix + child.name;
    let real = join(dir, child.name);
    let kind: { isFile(): boolean; isDirectory(): boolean } = child;
    if (child.isSymbolicLink()) {
      const target = realTarget(real);
      if (target === undefined) continue; // A dangling link has nothing to ship.
      if (!walk.roots.some((root) => isInside(target, root))) {
        walk.skipped.push({ path, reason: 'symbolic link' });
        continue;
      }
      real = target;
      kind = statSync(target);
    }
    // A link is judged by its own name and its target's: `config -> ../.env` is still a secrets file.
    const names = [child.name, basename(real)];
    if (kind.isFile()) {
      if (names.some(isSecretsFile)) walk.skipped.push({ path, reason: 'secrets file' });
      else walk.out.set(path, real);
    } else if (kind.isDirectory()) {
      if (child.name === '.git' || walk.open.has(real)) continue;
      if (isDataFolder(names, readdirSync(real))) {
        walk.skipped.push({ path, reason: 'Stratus data folder' });
        continue;
      }
      walk.open.add(real);
      collectDirectory(real, `${path}/`, walk);
      walk.open.delete(real);
    }
  }
}

/** Where a link points, or undefined for a dangling one. */
function realTarget(link: string): string | undefined {
  try {
    return realpathSync(link);
  } catch {
    return undefined;
  }
}

/** Deploying the data folder itself would upload every account's key: refuse rather than skip everything. */
function refuseDataFolder(source: string, real: string): void {
  if (isDataFolder([basename(real)], readdirSync(source))) {
    throw new CliError(
      `${source} is a Stratus data folder (the server keeps its database and credentials, with every account's secret key, there); deploy your function's own folder`,
    );
  }
}

/** Naming a secrets file explicitly is still a mistake worth stopping: its values belong in --env. */
function refuseSecretFile(source: string): void {
  const real = realpathSync(source);
  if (isSecretsFile(basename(source)) || isSecretsFile(basename(real))) {
    throw new CliError(`${source} is a secrets file (.env*), and deploy never uploads one; pass its variables with --env KEY=VALUE and deploy your code instead`);
  }
  const folder = dirname(real);
  if (isDataFolder([basename(folder)], readdirOrNothing(folder))) {
    throw new CliError(`${source} is inside a Stratus data folder (next to the server's database and credentials); deploy your function's own code`);
  }
}

function readdirOrNothing(folder: string): string[] {
  try {
    return readdirSync(folder);
  } catch {
    return [];
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
