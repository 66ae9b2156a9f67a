/** @module What `stratus deploy` leaves out of a zip (secrets files, Stratus data folders, links that leave the folder) and how it says so. */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, parse, relative, sep } from 'node:path';

/** Why a path was left out; each one is shown to the person so nothing disappears silently. */
export type SkipReason = 'secrets file' | 'Stratus data folder' | 'symbolic link';

export interface SkippedPath {
  /** Archive-style path relative to the deployed folder (`lib/link`, `.stratus`). */
  path: string;
  reason: SkipReason;
}

/** `.env`, `.env.local`, `.env.production`, `.envrc`: dotenv-style files hold secrets by convention. */
export function isSecretsFile(name: string): boolean {
  return name.startsWith('.env');
}

/** The server's SQLite database and the files SQLite keeps beside it while it runs. */
const DATABASE_FILE = /^stratus\.db(-wal|-shm|-journal)?$/;

/**
 * A Stratus data folder holds every account's secret key (`stratus.db`) and the admin `credentials`
 * file. It is recognised by its contents, whatever it is called, because `STRATUS_DATA_DIR` can
 * name any folder; `.stratus` (the default name) counts even before the server has created the
 * database. `names` are what the folder is called: for a link, its own name and its target's.
 */
export function isDataFolder(names: readonly string[], entryNames: readonly string[]): boolean {
  return names.includes('.stratus') || entryNames.some((entry) => DATABASE_FILE.test(entry));
}

/** True when real path `path` is `root` itself or lies below it. */
export function isInside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

/**
 * The nearest directory at or above `dir` whose package.json declares `workspaces`: npm links the
 * workspace's packages into node_modules, so links into it are part of the code. The filesystem
 * root never counts, or one stray package.json there would let links reach every file on the host.
 */
export async function workspaceRoot(dir: string): Promise<string | undefined> {
  for (let current = dir; current !== parse(current).root; current = dirname(current)) {
    const text = await readFile(join(current, 'package.json'), 'utf8').catch(() => undefined);
    if (text !== undefined && declaresWorkspaces(text)) return current;
  }
  return undefined;
}

function declaresWorkspaces(packageJson: string): boolean {
  try {
    const parsed: unknown = JSON.parse(packageJson);
    return typeof parsed === 'object' && parsed !== null && 'workspaces' in parsed;
  } catch {
    return false;
  }
}

/** How many skipped paths are named; the rest are counted, so a huge tree cannot flood the terminal. */
const SHOWN = 10;

/** The block printed after zipping (empty when nothing was skipped): one line per path, bounded. */
export function describeSkipped(skipped: readonly SkippedPath[]): string {
  if (skipped.length === 0) return '';
  const lines = skipped.slice(0, SHOWN).map(({ path, reason }) => {
    if (reason === 'Stratus data folder') return `${path}/ (${reason})`;
    if (reason === 'symbolic link') return `${path} -> outside the folder (${reason})`;
    return `${path} (${reason})`;
  });
  if (skipped.length > SHOWN) lines.push(`... and ${skipped.length - SHOWN} more`);
  const count = `${skipped.length} path${skipped.length === 1 ? '' : 's'}`;
  return `skipped ${count}, not uploaded:\n${lines.map((line) => `  ${line}\n`).join('')}`;
}
