/**
 * @module Engine worker processes: starts them, replaces one at once when it ends, places work on
 * them by partition, and matches each request with its answer. The main process keeps HTTP, auth,
 * the store and admission; a crash in engine code ends one worker, never the node.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FromWorker, ToWorker, WorkerSettings } from './protocol.ts';

/** Who a request to a worker was for: logged when the worker ends while serving it. */
export interface CallMeta {
  op: 'create' | 'invoke' | 'dispose';
  accountId: string;
  functionName: string;
  requestId?: string;
}

export interface WorkerExit {
  slot: number;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Requests it was serving when it ended; each of them failed with WorkerExited. */
  inflight: CallMeta[];
}

/** The worker that held a request ended before answering it. */
export class WorkerExited extends Error {
  override name = 'WorkerExited';
}

export interface EngineWorkers {
  readonly count: number;
  /**
   * The worker a new environment of this partition is created on: the partition's home worker, unless
   * it has more requests in flight than the least busy one (then that one, so that one busy function
   * is not held to one core). An environment stays on the worker it was created on.
   */
  slotFor(partitionKey: string): number;
  /** Changes each time the worker in `slot` is replaced: environments made by an earlier one are gone. */
  generation(slot: number): number;
  /** Sends one request and waits for its answer; rejects with WorkerExited if the worker ends first. */
  call(slot: number, msg: DistributiveOmit<ToWorker, 'id'>, meta: CallMeta): Promise<{ reply: FromWorker; generation: number }>;
  pids(): number[];
  /** Resident memory of the running workers, summed (Linux: from /proc; elsewhere 0). */
  residentBytes(): number;
  /** Resolves once every worker answered that it is ready (with the isolated-vm release they loaded); rejects with the first one's start error. */
  ready(): Promise<{ isolatedVm: string }>;
  close(): Promise<void>;
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

export interface EngineWorkerOptions {
  count: number;
  settings: WorkerSettings;
  onExit(exit: WorkerExit): void;
  /** What an engine reported about a broken environment (bounded text). */
  onCrashReport(report: { slot: number; where: string; environmentId: string; error: string }): void;
}

/** A worker that ends this soon after it started is restarted after a pause, not in a tight loop. */
const FAST_EXIT_MS = 1_000;
const RESTART_PAUSE_MS = 1_000;

interface Pending {
  resolve(value: { reply: FromWorker; generation: number }): void;
  reject(err: Error): void;
  meta: CallMeta;
}

class Slot {
  child: ChildProcess | undefined;
  generation = 0;
  startedAt = 0;
  readonly pending = new Map<number, Pending>();
  started!: Promise<string>;
  /** While the worker is being replaced: resolves when its successor has been started. */
  replaced: Promise<void> | undefined;
  replacedNow: (() => void) | undefined;
}

/** A process's resident set in bytes, from /proc/<pid>/status (VmRSS, in kB); 0 where there is no /proc. */
function residentOf(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

export function startEngineWorkers(opts: EngineWorkerOptions): EngineWorkers {
  const entry = fileURLToPath(new URL('../../engine-worker.ts', import.meta.url));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const slots = Array.from({ length: opts.count }, () => new Slot());
  let nextId = 1;
  let closing = false;

  function spawn(index: number): void {
    const slot = slots[index]!;
    slot.generation++;
    slot.startedAt = Date.now();
    // Guest code never sees this process's environment, but nothing in it is needed there either.
    // Isolates take the process's time zone: Lambda's is UTC, and the host's own is none of a tenant's business.
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, TZ: 'UTC', STRATUS_ENGINE_WORKER: JSON.stringify(opts.settings) };
    const child = fork(entry, [], { execArgv: ['--no-node-snapshot', '--import', tsx], env, serialization: 'advanced', stdio: ['ignore', 'inherit', 'pipe', 'ipc'] });
    slot.child = child;
    slot.replacedNow?.();
    slot.replaced = slot.replacedNow = undefined;
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
      process.stderr.write(chunk);
    });
    slot.started = new Promise<string>((resolve, reject) => {
      child.once('message', (msg: FromWorker) => (msg.t === 'ready' ? resolve(msg.isolatedVm) : reject(new Error('engine worker spoke before it was ready'))));
      child.once('exit', () => reject(new Error(`engine worker could not start: ${stderr.trim().split('\n').pop() ?? 'it exited'}`)));
    });
    slot.started.catch(() => {});
    child.on('message', (msg: FromWorker) => {
      if (msg.t === 'ready') return;
      if (msg.t === 'crash') return opts.onCrashReport({ slot: index, where: msg.where, environmentId: msg.environmentId, error: msg.error });
      const waiting = slot.pending.get(msg.id);
      if (waiting === undefined) return;
      slot.pending.delete(msg.id);
      waiting.resolve({ reply: msg, generation: slot.generation });
    });
    child.once('exit', (code, signal) => {
      if (slot.child !== child) return;
      slot.child = undefined;
      // From now on its environments are gone, even before a successor is started.
      slot.generation++;
      const inflight = [...slot.pending.values()];
      slot.pending.clear();
      for (const p of inflight) p.reject(new WorkerExited(`engine worker ${child.pid ?? '?'} ended (${signal ?? `exit code ${code}`})`));
      if (closing) return;
      slot.replaced = new Promise((resolve) => (slot.replacedNow = resolve));
      opts.onExit({ slot: index, pid: child.pid, code, signal, inflight: inflight.map((p) => p.meta) });
      const pause = Date.now() - slot.startedAt < FAST_EXIT_MS ? RESTART_PAUSE_MS : 0;
      setTimeout(() => closing || spawn(index), pause).unref();
    });
  }

  for (const i of slots.keys()) spawn(i);

  return {
    count: opts.count,
    slotFor(partitionKey) {
      // FNV-1a: cheap, stable across restarts, spreads similar keys.
      let h = 0x811c9dc5;
      for (let i = 0; i < partitionKey.length; i++) h = Math.imul(h ^ partitionKey.charCodeAt(i), 0x01000193);
      const home = (h >>> 0) % opts.count;
      let least = home;
      for (let i = 0; i < slots.length; i++) if (slots[i]!.pending.size < slots[least]!.pending.size) least = i;
      return slots[home]!.pending.size > slots[least]!.pending.size ? least : home;
    },
    generation: (slot) => slots[slot]!.generation,
    async call(index, msg, meta) {
      const slot = slots[index]!;
      // A request that arrives while the worker is being replaced waits for its successor.
      while (!closing && slot.replaced !== undefined) await slot.replaced;
      await slot.started.catch(() => {});
      const child = slot.child;
      if (closing || child === undefined || !child.connected) throw new WorkerExited('engine worker is not running');
      const id = nextId++;
      return new Promise((resolve, reject) => {
        slot.pending.set(id, { resolve, reject, meta });
        // A send fails only when the channel is closing: the worker's exit then fails every pending request, this one included.
        child.send({ ...msg, id } as ToWorker, () => {});
      });
    },
    pids: () => slots.flatMap((s) => (s.child?.pid === undefined ? [] : [s.child.pid])),
    residentBytes: () => slots.reduce((sum, s) => sum + (s.child?.pid === undefined ? 0 : residentOf(s.child.pid)), 0),
    ready: () => Promise.all(slots.map((s) => s.started)).then((versions) => ({ isolatedVm: versions[0] ?? '' })),
    async close() {
      closing = true;
      const exits = slots.map((s) => {
        const child = s.child;
        if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill('SIGTERM');
        return gone;
      });
      await Promise.all(exits);
      for (const s of slots) {
        for (const p of s.pending.values()) p.reject(new WorkerExited('engine workers are shutting down'));
        s.replacedNow?.();
      }
    },
  };
}
