/**
 * @module The Engine port served from engine worker processes: an environment lives in the worker
 * its partition is placed on, and each create, invoke and dispose is one round trip to it (guest
 * steps, timers and deadlines stay inside the worker).
 */
import { stratusError } from '../../shared/errors.ts';
import type { CreateResult, Engine, Environment, EnvironmentMemory, EnvironmentSpec, InvokeRequest, InvokeResult } from '../engine.ts';
import { WorkerExited, type CallMeta, type EngineWorkers } from './supervisor.ts';

export interface WorkerEngineOptions {
  runtime: string;
  workers: EngineWorkers;
  /** The engine's own reservation rule (the worker hosts the same engine). */
  reservation(spec: Pick<EnvironmentSpec, 'memoryMb'>): number;
}

export function createWorkerEngine(opts: WorkerEngineOptions): Engine {
  const { workers } = opts;
  return {
    runtime: opts.runtime,
    reservation: opts.reservation,
    async create(spec: EnvironmentSpec): Promise<CreateResult> {
      const slot = workers.slotFor(spec.partition.key);
      const meta: CallMeta = { op: 'create', accountId: spec.partition.fn.accountId, functionName: spec.partition.fn.name };
      let answer;
      try {
        answer = await workers.call(slot, { t: 'create', spec }, meta);
      } catch (err) {
        if (err instanceof WorkerExited) throw stratusError('ENGINE_WORKER_EXITED.creating', { name: spec.partition.fn.name });
        throw err;
      }
      const { reply, generation } = answer;
      if (reply.t === 'failed') throw stratusError('INTERNAL.workerRefused', { op: 'create', error: reply.error });
      if (reply.t !== 'created') throw stratusError('INTERNAL.workerRefused', { op: 'create', error: `it answered ${reply.t}` });
      const r = reply.result;
      if (!r.ok) return r;
      return { ok: true, env: new WorkerEnvironment(workers, slot, generation, r.env, r.memory, meta), initDurationMs: r.initDurationMs };
    },
  };
}

/** One environment in a worker, addressed by its id there; gone when that worker is. */
class WorkerEnvironment implements Environment {
  private disposed = false;

  constructor(
    private readonly workers: EngineWorkers,
    private readonly slot: number,
    private readonly generation: number,
    readonly id: string,
    private last: EnvironmentMemory,
    private readonly owner: CallMeta,
  ) {}

  memory(): EnvironmentMemory {
    return this.last;
  }

  alive(): boolean {
    return !this.disposed && this.workers.generation(this.slot) === this.generation;
  }

  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    const started = performance.now();
    const lost = (): InvokeResult => ({ outcome: 'error', payload: 'null', logs: '', fatal: 'worker', durationMs: performance.now() - started });
    if (this.disposed || this.workers.generation(this.slot) !== this.generation) return lost();
    try {
      const { reply, generation } = await this.workers.call(this.slot, { t: 'invoke', env: this.id, req }, { ...this.owner, op: 'invoke', requestId: req.requestId });
      if (generation !== this.generation || reply.t !== 'invoked') return lost();
      this.last = reply.memory;
      return reply.result;
    } catch (err) {
      if (err instanceof WorkerExited) return lost();
      throw err;
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.workers.generation(this.slot) !== this.generation) return;
    try {
      await this.workers.call(this.slot, { t: 'dispose', env: this.id }, { ...this.owner, op: 'dispose' });
    } catch (err) {
      // A worker that ended took the environment with it.
      if (!(err instanceof WorkerExited)) throw err;
    }
  }
}
