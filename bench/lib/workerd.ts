/**
 * @module workerd (Cloudflare's Workers runtime) as a peer in the warm figure: installed on demand
 * from the npm registry into the git-ignored bench/.cache/, serving the bench's handler as a
 * Workers `fetch` handler from a config generated at run time, or one line saying why not.
 */
// Not a dependency in package.json: its binary is over 100 MB, and every install and CI run would
// pay for a figure only `npm run bench` draws.
import { execFile, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { track } from './children.ts';
import { send, type SignedRequest } from './lambda-api.ts';
import { npm } from './npm.ts';

const run = promisify(execFile);

/** Pinned so a figure compares like with like from run to run; raise it on purpose. */
export const WORKERD_VERSION = '1.20261117.1';
const INSTALL_TIMEOUT_MS = 5 * 60 * 1000;
const READY_TIMEOUT_MS = 20_000;

export interface Workerd {
  url: string;
  /** What `workerd --version` says, e.g. `workerd 2026-11-17`. */
  version: string;
  close(): Promise<void>;
}

export type WorkerdOutcome = { ok: true; workerd: Workerd } | { ok: false; reason: string };

/** The platform package that holds the binary (`@cloudflare/workerd-linux-64`, ...). */
function binaryPackage(): string | undefined {
  const arch = { x64: '64', arm64: 'arm64' }[process.arch as string];
  const os = { linux: 'linux', darwin: 'darwin' }[process.platform as string];
  return arch && os ? `@cloudflare/workerd-${os}-${arch}` : undefined;
}

/**
 * The handler text as a Workers module: `exports.handler` is given a CommonJS-like `module`, and
 * the fetch handler does what the node:http baseline does (parse the body, call, stringify).
 */
export function workerScript(handlerSource: string): string {
  return [
    'const module = { exports: {} };',
    'const exports = module.exports;',
    handlerSource,
    'const handler = module.exports.handler;',
    'export default {',
    '  async fetch(request) {',
    '    const text = await request.text();',
    "    const out = await handler(JSON.parse(text || '{}'));",
    "    return new Response(JSON.stringify(out), { headers: { 'content-type': 'application/json' } });",
    '  },',
    '};',
    '',
  ].join('\n');
}

function configText(port: number): string {
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = "main", worker = .bench) ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "main") ],
);

const bench :Workerd.Worker = (
  modules = [ (name = "worker.js", esModule = embed "worker.js") ],
  compatibilityDate = "2024-09-23",
);
`;
}

/** A port nobody listens on now; workerd binds it a moment later (a race no other bench process joins). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function install(cache: string, log: (line: string) => void): Promise<string> {
  const pkg = binaryPackage();
  if (!pkg) throw new Error(`workerd has no binary for ${process.platform}-${process.arch}`);
  const prefix = path.join(cache, `workerd-${WORKERD_VERSION}`);
  const bin = path.join(prefix, 'node_modules', pkg, 'bin', 'workerd');
  if (fs.existsSync(bin)) return bin;
  log(`bench: installing workerd@${WORKERD_VERSION} into ${prefix}`);
  fs.mkdirSync(prefix, { recursive: true });
  await npm(['install', '--prefix', prefix, '--no-audit', '--no-fund', '--no-save', `workerd@${WORKERD_VERSION}`], { timeout: INSTALL_TIMEOUT_MS });
  if (!fs.existsSync(bin)) throw new Error(`npm installed workerd but not ${pkg}`);
  return bin;
}

/** Polls with the bench's own request until workerd answers it. */
async function waitReady(url: string, probe: SignedRequest, exited: () => string | undefined): Promise<void> {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  for (;;) {
    const gone = exited();
    if (gone) throw new Error(gone);
    try {
      const res = await send(url, probe);
      if (res.status === 200) return;
      throw new Error(`workerd answered ${res.status}: ${res.text.slice(0, 200)}`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ECONNREFUSED' || performance.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Installs (once) and starts workerd serving `handlerSource`, with its files in `dir`. */
export async function startWorkerd(cache: string, dir: string, handlerSource: string, probe: SignedRequest, log: (line: string) => void): Promise<WorkerdOutcome> {
  let proc: ReturnType<typeof spawn> | undefined;
  try {
    const bin = await install(cache, log);
    const version = (await run(bin, ['--version'])).stdout.trim();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'worker.js'), workerScript(handlerSource));
    const port = await freePort();
    fs.writeFileSync(path.join(dir, 'config.capnp'), configText(port));
    proc = spawn(bin, ['serve', path.join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    track(proc);
    let stderr = '';
    proc.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString('utf8')).slice(-2000)));
    const url = `http://127.0.0.1:${port}`;
    const p = proc;
    await waitReady(url, probe, () => (p.exitCode !== null ? `workerd exited (${p.exitCode}): ${stderr.trim().split('\n').pop()}` : undefined));
    const close = async () => {
      if (p.exitCode !== null || p.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
      p.kill('SIGTERM');
      await exited;
    };
    return { ok: true, workerd: { url, version, close } };
  } catch (err) {
    proc?.kill('SIGKILL');
    const text = (err instanceof Error ? err.message : String(err)).split('\n', 1)[0]!;
    return { ok: false, reason: `workerd@${WORKERD_VERSION} not run: ${text.slice(0, 300)}` };
  }
}
