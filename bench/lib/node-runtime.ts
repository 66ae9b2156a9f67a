/**
 * @module Another Node.js for the bench's server children: its binary from the npm registry
 * (`node-<platform>-<arch>`), node_modules installed for its ABI, and a fresh copy of the current
 * code, all in the git-ignored bench/.cache/, or one line saying why it could not be prepared.
 */
// Why a copy of the code: Node resolves a module's dependencies from the folder the file really
// lives in, so src/ run from the repository would load the repository's node_modules, built for the
// system Node's ABI (better-sqlite3, isolated-vm). The copy sits beside node_modules of its own.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { NodeRuntime } from './children.ts';
import { npm } from './npm.ts';

const run = promisify(execFile);

export interface PreparedRuntime extends NodeRuntime {
  /** `process.version` of that Node, e.g. `v24.22.3`. */
  version: string;
}

export type RuntimeOutcome = { ok: true; runtime: PreparedRuntime } | { ok: false; reason: string };

/** `npm ci` compiles better-sqlite3 from source (the prebuilt download host is not the npm registry): minutes, once per lockfile. */
const INSTALL_TIMEOUT_MS = 15 * 60 * 1000;
const REPO = path.resolve(import.meta.dirname, '../..');
/** What a server child needs of the repository; bench/ is copied entry by entry, as the cache lives inside it. */
const CODE = ['src', 'scripts', 'package.json', 'package-lock.json', 'tsconfig.json'];
const BENCH_NOT_COPIED = new Set(['.cache', 'results']);

/** One line: npm's reason, or the error a failed command (the native-module probe) printed. */
function failure(err: unknown): string {
  const printed = (err as { stderr?: string }).stderr?.split('\n').find((l) => /error/i.test(l));
  return (printed ?? (err instanceof Error ? err.message : String(err)).split('\n', 1)[0]!).trim().slice(0, 300);
}

/** The Node package, unpacked at `<dir>/package` (bin/node and include/ for native builds). */
async function fetchNode(version: string, dir: string, log: (line: string) => void): Promise<string> {
  const home = path.join(dir, 'package');
  const bin = path.join(home, 'bin', 'node');
  if (fs.existsSync(bin)) return home;
  const pkg = `node-${process.platform}-${process.arch}@${version}`;
  log(`bench: fetching ${pkg} from the npm registry`);
  fs.mkdirSync(dir, { recursive: true });
  const stdout = await npm(['pack', pkg, '--pack-destination', dir], { cwd: dir, timeout: INSTALL_TIMEOUT_MS });
  const tarball = path.join(dir, stdout.trim().split('\n').pop()!);
  await run('tar', ['-xzf', tarball, '-C', dir]);
  fs.rmSync(tarball);
  return home;
}

/**
 * node_modules for that Node: `npm ci --omit=dev` run BY that Node (first on PATH, so install
 * scripts and node-gyp target its ABI), with its own headers (npm_config_nodedir overrides the
 * nodedir a user's ~/.npmrc may set for the system Node). Redone when the lockfile changes.
 */
async function installModules(home: string, app: string, log: (line: string) => void): Promise<void> {
  const lock = fs.readFileSync(path.join(REPO, 'package-lock.json'));
  const key = createHash('sha256').update(lock).update(home).digest('hex');
  const stamp = path.join(app, 'node_modules', '.bench-installed');
  if (fs.existsSync(stamp) && fs.readFileSync(stamp, 'utf8') === key) return;
  log(`bench: installing node_modules for ${path.basename(path.dirname(home))} in ${app} (a few minutes, once per lockfile)`);
  fs.rmSync(app, { recursive: true, force: true });
  copyCode(app);
  const env = { ...process.env, PATH: `${path.join(home, 'bin')}${path.delimiter}${process.env.PATH ?? ''}`, npm_config_nodedir: home };
  await npm(['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: app, env, timeout: INSTALL_TIMEOUT_MS });
  fs.writeFileSync(stamp, key);
}

/** The current code, copied afresh each run so the child runs what is checked out now. */
function copyCode(app: string): void {
  fs.mkdirSync(app, { recursive: true });
  const entries = [
    ...CODE,
    ...fs
      .readdirSync(path.join(REPO, 'bench'))
      .filter((e) => !BENCH_NOT_COPIED.has(e))
      .map((e) => path.join('bench', e)),
  ];
  fs.rmSync(path.join(app, 'bench'), { recursive: true, force: true });
  for (const entry of entries) {
    fs.rmSync(path.join(app, entry), { recursive: true, force: true });
    fs.cpSync(path.join(REPO, entry), path.join(app, entry), { recursive: true });
  }
}

/** Prepares Node `version` (e.g. `24.22.3`) under `cache`, or says in one line why it cannot. */
export async function prepareNodeRuntime(version: string, cache: string, log: (line: string) => void): Promise<RuntimeOutcome> {
  const dir = path.join(cache, `node-${version}`);
  const app = path.join(dir, 'app');
  try {
    const home = await fetchNode(version, dir, log);
    const execPath = path.join(home, 'bin', 'node');
    await installModules(home, app, log);
    copyCode(app);
    // better-sqlite3 loaded once now, so a broken build skips the column with its own error; a broken
    // isolated-vm shows when the column's servers start, which skips it too.
    const probe = "require('better-sqlite3')(':memory:').close(); console.log(process.version)";
    const { stdout } = await run(execPath, ['-e', probe], { cwd: app });
    return { ok: true, runtime: { execPath, root: app, version: stdout.trim() } };
  } catch (err) {
    return { ok: false, reason: `Node ${version} could not be prepared in ${dir}: ${failure(err)}` };
  }
}
