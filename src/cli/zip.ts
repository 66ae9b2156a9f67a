/** @module Packs a deploy source (a directory tree or one file) into a deterministic zip with fflate. */
import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { zipSync, type Zippable } from 'fflate';
import { CliError } from './errors.ts';

/** Directories that are never code: VCS metadata and the local server's data directory. */
const SKIPPED_DIRECTORIES = new Set(['.git', '.stratus']);

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
}

/** Zips `source`: a directory recursively (node_modules included, `.git`/`.stratus` skipped), or a single file. */
export async function zipSource(source: string): Promise<ZippedCode> {
  let info;
  try {
    info = await stat(source);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `${source} does not exist; pass a directory or a file to deploy` : `cannot read ${source}: ${(err as Error).message}`);
  }
  const entries = new Map<string, Uint8Array>();
  if (info.isDirectory()) {
    await collectDirectory(source, '', entries, new Set([await realpath(source)]));
    if (entries.size === 0) throw new CliError(`${source} has no files to deploy`);
  } else if (info.isFile()) {
    entries.set(basename(source), await readFile(source));
  } else {
    throw new CliError(`${source} is neither a directory nor a regular file`);
  }
  const files = [...entries.keys()].sort();
  const tree: Zippable = {};
  for (const path of files) tree[path] = [entries.get(path)!, { mtime: FIXED_MTIME }];
  return { zip: zipSync(tree, { level: 9 }), files, singleFile: !info.isDirectory() };
}

/**
 * Walks a directory, following symlinks (npm workspaces link packages into node_modules) but
 * remembering real paths so a link back up the tree cannot loop forever.
 */
async function collectDirectory(dir: string, prefix: string, out: Map<string, Uint8Array>, seen: Set<string>): Promise<void> {
  const children = await readdir(dir, { withFileTypes: true });
  for (const child of children) {
    const full = join(dir, child.name);
    const archivePath = prefix + child.name;
    let isDir = child.isDirectory();
    let isFile = child.isFile();
    if (child.isSymbolicLink()) {
      const target = await stat(full).catch(() => undefined);
      if (target === undefined) continue; // A dangling link has nothing to ship.
      isDir = target.isDirectory();
      isFile = target.isFile();
    }
    if (isDir) {
      if (SKIPPED_DIRECTORIES.has(child.name)) continue;
      const real = await realpath(full);
      if (seen.has(real)) continue;
      seen.add(real);
      await collectDirectory(full, `${archivePath}/`, out, seen);
      seen.delete(real);
    } else if (isFile) {
      out.set(archivePath, await readFile(full));
    }
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
