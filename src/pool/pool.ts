/** @module The environment pool: warm reuse per partition, capacity and memory limits, keep-alive, eviction and shutdown. */
import type { CreateResult, Engine, EnvironmentSpec, FatalReason } from '../runtime/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { FunctionId, FunctionKey, Partition, PartitionKey } from '../shared/identity.ts';
import { stratusError, type StratusError } from '../shared/errors.ts';
import { Disposer, type PoolLogger } from './disposer.ts';
import { Entry, IdleIndex, newPartition, type PartitionEnvs, type PendingCreate } from './idle-index.ts';
import { PoolLease, type LeaseOwner } from './lease.ts';
import type { AcquireResult, Pool, PoolStats } from './types.ts';
import { WaitQueue, type Grant } from './wait-queue.ts';

export interface PoolDeps {
  /** Engines by the runtime name they serve (`stratus-isolate`, ...). */
  engines: ReadonlyMap<string, Engine>;
  clock: Clock;
  /** Idle environments older than this are disposed by the keep-alive sweep. */
  keepAliveMs: number;
  /** Live environments (busy + idle + being created) this node hosts at most. */
  maxEnvironments: number;
  /** Idle environments are evicted, least recently used first, while the measured total exceeds this. */
  memoryBudgetBytes: number;
  /** How long an acquire waits at capacity for an environment to be released. */
  acquireTimeoutMs: number;
  logger?: PoolLogger;
}

/** Where an acquire's environment spec comes from; only called for a cold create. */
type SpecSource = () => Promise<EnvironmentSpec> | EnvironmentSpec;

const MAX_SWEEP_PERIOD_MS = 30_000;
const consoleLogger: PoolLogger = { warn: (obj, msg) => console.warn(msg, obj) };

export function createPool(deps: PoolDeps): Pool {
  checkDeps(deps);
  return new EnvironmentPool(deps);
}

class EnvironmentPool implements Pool, LeaseOwner {
  private readonly partitions = new Map<PartitionKey, PartitionEnvs>();
  /** The partitions of each function, so evicting one function touches only its own environments. */
  private readonly byFunction = new Map<FunctionKey, Set<PartitionEnvs>>();
  private readonly idle = new IdleIndex();
  /** Idle and busy environments; creates in flight are in `creating`. Together they are the capacity in use. */
  private readonly live = new Set<Entry>();
  private readonly creating = new Set<PendingCreate>();
  private readonly waiters = new WaitQueue();
  private readonly disposer: Disposer;
  private readonly sweepTimer: ReturnType<typeof setInterval>;
  /** Running sum of the last measurement of every live environment, so the budget check is O(1). */
  private memoryTotal = 0;
  private reservedTotal = 0;
  private created = 0;
  private evicted = 0;
  private closed = false;

  constructor(private readonly deps: PoolDeps) {
    this.disposer = new Disposer(deps.logger ?? consoleLogger);
    const period = Math.max(1, Math.min(deps.keepAliveMs / 4, MAX_SWEEP_PERIOD_MS));
    // unref: an idle pool must not keep the process alive on its own.
    this.sweepTimer = setInterval(() => this.sweep(), period);
    this.sweepTimer.unref();
  }

  acquire(partition: Partition, spec: SpecSource): Promise<AcquireResult> {
    if (this.closed) return Promise.reject(closedError());
    // Warm path: one map lookup, a few pointer updates and one lease object; no await.
    const part = this.partitions.get(partition.key);
    let warm = part === undefined ? null : this.idle.takeNewest(part);
    // An environment gone for a reason outside it (its worker process ended) is replaced, not handed out.
    while (warm !== null && warm.env.alive?.() === false) {
      this.discard(warm, true);
      warm = this.idle.takeNewest(part!);
    }
    if (warm !== null) return Promise.resolve({ ok: true, lease: new PoolLease(this, warm, false, 0) });
    return this.acquireCold(partition, spec);
  }

  private async acquireCold(partition: Partition, spec: SpecSource): Promise<AcquireResult> {
    const pending: PendingCreate = { partition, doomed: false };
    const waiting = this.reserve(pending);
    const handed = waiting === null ? null : await waiting;
    if (handed !== null) return { ok: true, lease: new PoolLease(this, handed, false, 0) };
    // From here `pending` holds a capacity slot, which every exit must give back or turn into an entry.
    let result: CreateResult;
    let reserved: number;
    try {
      const s = await spec();
      if (s.partition.key !== partition.key) throw new RangeError('pool: a spec must describe the partition it is acquired for');
      const engine = this.deps.engines.get(s.runtime);
      if (engine === undefined) throw unsupportedRuntime(s.runtime, this.deps.engines);
      // Known before the environment exists: what it may grow to.
      reserved = engine.reservation(s);
      result = await engine.create(s);
    } catch (err) {
      this.creating.delete(pending);
      this.slotFreed();
      throw err;
    }
    this.creating.delete(pending);
    if (!result.ok) {
      this.slotFreed();
      return result.lost ? { ok: false, error: result.error, logs: result.logs, lost: true } : { ok: false, error: result.error, logs: result.logs };
    }
    if (this.closed) {
      void this.disposer.dispose(result.env);
      throw closedError();
    }
    const entry = this.adopt(partition, result.env, pending.doomed, reserved);
    this.enforceMemoryBudget();
    return { ok: true, lease: new PoolLease(this, entry, true, result.initDurationMs) };
  }

  /**
   * Takes a capacity slot for `pending`: a free one, else the least recently used idle environment's,
   * else a place in the wait queue (round-robin by account). Returns null when the slot is taken synchronously.
   */
  private reserve(pending: PendingCreate): Promise<Grant> | null {
    if (this.live.size + this.creating.size < this.deps.maxEnvironments) {
      this.creating.add(pending);
      return null;
    }
    const victim = this.idle.oldest();
    if (victim !== null) {
      this.discard(victim, false);
      this.creating.add(pending);
      return null;
    }
    if (this.deps.acquireTimeoutMs <= 0) throw capacityExhausted(this.deps);
    return this.waiters.wait(pending, this.deps.acquireTimeoutMs, () => capacityExhausted(this.deps));
  }

  private adopt(partition: Partition, env: Entry['env'], doomed: boolean, reserved: number): Entry {
    let part = this.partitions.get(partition.key);
    if (part === undefined) {
      part = newPartition(partition);
      this.partitions.set(partition.key, part);
      let ofFunction = this.byFunction.get(partition.fn.key);
      if (ofFunction === undefined) {
        ofFunction = new Set();
        this.byFunction.set(partition.fn.key, ofFunction);
      }
      ofFunction.add(part);
    }
    const entry = new Entry(env, part);
    entry.doomed = doomed;
    entry.reserved = reserved;
    this.reservedTotal += reserved;
    part.live++;
    this.live.add(entry);
    this.created++;
    this.measure(entry);
    return entry;
  }

  releaseEntry(entry: Entry, fatal: FatalReason | undefined, retire = false): void {
    if (entry.state !== 'busy') return;
    if (fatal !== undefined || retire || entry.doomed || entry.part.doomed || this.closed) {
      this.discard(entry, true);
      return;
    }
    this.measure(entry);
    // Waiters exist only when nothing is idle, so the released environment is the only candidate:
    // the queue's turn order (round-robin by account, FIFO within one) keeps any waiter from starving.
    const waiter = this.waiters.shift();
    if (waiter !== undefined) {
      if (waiter.pending.partition.key === entry.part.partition.key) {
        waiter.resolve(entry);
        return;
      }
      this.discard(entry, false);
      this.creating.add(waiter.pending);
      waiter.resolve(null);
      return;
    }
    entry.lastUsed = this.deps.clock.now();
    this.idle.push(entry);
    this.enforceMemoryBudget();
  }

  /** Removes an environment from the pool and disposes it; `freeSlot` passes its slot to the next waiter. */
  private discard(entry: Entry, freeSlot: boolean): Promise<void> {
    if (entry.state === 'idle') this.idle.remove(entry);
    entry.state = 'gone';
    this.live.delete(entry);
    this.memoryTotal -= entry.mem;
    this.reservedTotal -= entry.reserved;
    const part = entry.part;
    if (--part.live === 0) this.detach(part);
    this.evicted++;
    const done = this.disposer.dispose(entry.env);
    if (freeSlot) this.slotFreed();
    return done;
  }

  /** One unit of capacity became free: the oldest waiter gets it to create its environment. */
  private slotFreed(): void {
    const waiter = this.waiters.shift();
    if (waiter === undefined) return;
    this.creating.add(waiter.pending);
    waiter.resolve(null);
  }

  /** Forgets a partition with no environment left (or one being evicted); a later acquire starts a fresh one. */
  private detach(part: PartitionEnvs): void {
    const { key, fn } = part.partition;
    if (this.partitions.get(key) === part) this.partitions.delete(key);
    const ofFunction = this.byFunction.get(fn.key);
    if (ofFunction?.delete(part) && ofFunction.size === 0) this.byFunction.delete(fn.key);
  }

  private measure(entry: Entry): void {
    const bytes = entry.env.memory().used;
    this.memoryTotal += bytes - entry.mem;
    entry.mem = bytes;
  }

  /** Busy environments are never evicted: the budget may stay exceeded until they are released. */
  private enforceMemoryBudget(): void {
    while (this.memoryTotal > this.deps.memoryBudgetBytes) {
      const victim = this.idle.oldest();
      if (victim === null) return;
      this.discard(victim, true);
    }
  }

  /** Keep-alive: the LRU head is the oldest idle environment, so the sweep stops at the first young one. */
  private sweep(): void {
    const cutoff = this.deps.clock.now() - this.deps.keepAliveMs;
    for (let e = this.idle.oldest(); e !== null && e.lastUsed < cutoff; e = this.idle.oldest()) this.discard(e, true);
  }

  async evictFunction(fn: FunctionId): Promise<void> {
    const disposals: Promise<void>[] = [];
    for (const part of [...(this.byFunction.get(fn.key) ?? [])]) {
      // Detached: a later acquire of the same partition starts a fresh one, and the busy
      // environments of this one see `doomed` on release.
      part.doomed = true;
      this.detach(part);
      for (let e = part.tail; e !== null; e = part.tail) disposals.push(this.discard(e, true));
    }
    for (const pending of this.creating) if (pending.partition.fn.key === fn.key) pending.doomed = true;
    this.waiters.forEach((w) => {
      if (w.pending.partition.fn.key === fn.key) w.pending.doomed = true;
    });
    await Promise.all(disposals);
  }

  stats(): PoolStats {
    // Re-measure everything: stats are read rarely, and a fresh total also corrects the running one.
    let memory = 0;
    for (const entry of this.live) {
      entry.mem = entry.env.memory().used;
      memory += entry.mem;
    }
    this.memoryTotal = memory;
    return {
      environments: this.live.size,
      idle: this.idle.size,
      busy: this.live.size - this.idle.size,
      partitions: this.partitions.size,
      memoryBytes: memory,
      reservedBytes: this.reservedTotal,
      created: this.created,
      evicted: this.evicted,
    };
  }

  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.sweepTimer);
      this.waiters.rejectAll(closedError());
      for (let e = this.idle.oldest(); e !== null; e = this.idle.oldest()) this.discard(e, false);
    }
    // Busy environments are disposed when released; only disposals already started are awaited,
    // so a leaked lease cannot hang shutdown.
    await this.disposer.drain();
  }
}

function checkDeps(deps: PoolDeps): void {
  const bad = (field: string, rule: string) => new RangeError(`createPool: ${field} must be ${rule}`);
  if (!Number.isInteger(deps.maxEnvironments) || deps.maxEnvironments < 1) throw bad('maxEnvironments', 'an integer >= 1');
  if (!(deps.keepAliveMs > 0)) throw bad('keepAliveMs', 'a number > 0');
  if (!(deps.memoryBudgetBytes > 0)) throw bad('memoryBudgetBytes', 'a number > 0');
  if (!(deps.acquireTimeoutMs >= 0) || !Number.isFinite(deps.acquireTimeoutMs)) throw bad('acquireTimeoutMs', 'a finite number >= 0');
}

function capacityExhausted(deps: PoolDeps): StratusError {
  return stratusError('INVOKE_CAPACITY_EXHAUSTED', { max: deps.maxEnvironments, waitMs: deps.acquireTimeoutMs });
}

function unsupportedRuntime(runtime: string, engines: ReadonlyMap<string, Engine>): StratusError {
  const known = [...engines.keys()].join(', ') || 'none';
  return stratusError('RUNTIME_UNSUPPORTED.onNode', { runtime, runtimes: known });
}

/** A system error: the request did nothing wrong, the node is going away, and another node can serve it. */
function closedError(): StratusError {
  return stratusError('INTERNAL.poolClosed');
}
