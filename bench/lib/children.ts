/** @module Bench child processes: each server under test runs in its own `node --no-node-snapshot --import tsx` process, driven over IPC and always killed on exit. */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const READY_TIMEOUT_MS = 60_000;
const CALL_TIMEOUT_MS = 60_000;
const CLOSE_GRACE_MS = 10_000;

/** Every child still running; `killAll` ends them by pid on any way out of the parent. */
const running = new Set<ChildProcess>();

export interface Child<Ready> {
  name: string;
  pid: number;
  ready: Ready;
  /** Sends a command and waits for its answer (`{ id, ok, result | error }`). */
  call<T = unknown>(cmd: string, args?: Record<string, unknown>): Promise<T>;
  /** Asks the child to close cleanly (so a --cpu-prof profile is written), then kills it if it lingers. */
  close(): Promise<void>;
}

/**
 * Another Node.js to run a child with: its binary, and a copy of the repository (`root`) whose
 * node_modules were installed for that Node's ABI (see node-runtime.ts).
 */
export interface NodeRuntime {
  execPath: string;
  root: string;
}

/** Starts `bench/servers/<name>.ts` (from `runtime.root` with `runtime.execPath` when given) and waits for its `{ type: 'ready' }` message. */
export async function startChild<Ready>(name: string, env: Record<string, string> = {}, extraExecArgv: string[] = [], runtime?: NodeRuntime): Promise<Child<Ready>> {
  const file = runtime ? path.join(runtime.root, 'bench', 'servers', `${name}.ts`) : fileURLToPath(new URL(`../servers/${name}.ts`, import.meta.url));
  const proc = fork(file, [], {
    execArgv: ['--no-node-snapshot', '--import', 'tsx', ...extraExecArgv],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    // `--import tsx` resolves from the working directory: the runtime's own node_modules.
    ...(runtime ? { execPath: runtime.execPath, cwd: runtime.root } : {}),
  });
  track(proc);

  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 1;
  const ready = new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name}: not ready after ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    proc.on('message', (msg: { type?: string; id?: number; ok?: boolean; result?: unknown; error?: string }) => {
      if (msg.type === 'ready') {
        clearTimeout(timer);
        resolve(msg as Ready);
        return;
      }
      const p = msg.id === undefined ? undefined : pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id!);
      clearTimeout(p.timer);
      if (msg.ok) p.resolve(msg.result);
      else p.reject(new Error(`${name}: ${msg.error}`));
    });
    proc.once('exit', (code, signal) => {
      clearTimeout(timer);
      const err = new Error(`${name} exited (code ${code}, signal ${signal})`);
      reject(err);
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      pending.clear();
    });
  });

  return {
    name,
    pid: proc.pid!,
    ready: await ready,
    call<T>(cmd: string, args: Record<string, unknown> = {}) {
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${name}: '${cmd}' got no answer in ${CALL_TIMEOUT_MS} ms`));
        }, CALL_TIMEOUT_MS);
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
        proc.send({ id, cmd, ...args });
      });
    },
    async close() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
      proc.send({ id: 0, cmd: 'close' });
      const timer = setTimeout(() => proc.kill('SIGKILL'), CLOSE_GRACE_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Adds a process the bench spawned itself (not through startChild) to those `killAll` ends. */
export function track(proc: ChildProcess): void {
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
}

/** Kills every child still running, by its own pid. Synchronous so it can run in an 'exit' handler. */
export function killAll(): void {
  for (const proc of running) {
    try {
      proc.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  running.clear();
}

/**
 * The child's side: answers commands from the parent with `handlers`, and exits when the parent
 * goes away (so a killed bench never leaves a server behind).
 */
export function serveParent(handlers: Record<string, (msg: Record<string, unknown>) => unknown>, onClose: () => Promise<void>): void {
  if (!process.send) throw new Error('this file is a bench child: start it with `npm run bench`');
  let closing = false;
  const close = () => {
    if (closing) return;
    closing = true;
    onClose().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('disconnect', close);
  process.on('message', async (msg: { id: number; cmd: string } & Record<string, unknown>) => {
    if (msg.cmd === 'close') return close();
    const handler = handlers[msg.cmd];
    try {
      if (!handler) throw new Error(`unknown command '${msg.cmd}'`);
      process.send!({ id: msg.id, ok: true, result: await handler(msg) });
    } catch (err) {
      process.send!({ id: msg.id, ok: false, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
