/**
 * @module Fair CPU scheduling: at most `slots` guest steps run at once on the node, and steps that
 * wait are served by deficit round robin across flows (one flow per function tenant), so a tenant
 * sending 100x the traffic of the others waits behind its own work, not in front of theirs.
 * Written by hand: no library offers DRR over async steps; the ring and deficits are ~100 lines.
 */

interface Waiter {
  step: () => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

interface Flow {
  key: string;
  queue: Waiter[];
  /** DRR deficit in ms: charged with each step's measured duration, refilled by a quantum per round. */
  deficit: number;
}

export interface FairSchedulerStats {
  slots: number;
  running: number;
  waiting: number;
  activeFlows: number;
}

export interface FairScheduler {
  /** Runs `step` when its flow gets a turn. Steps of one flow run in arrival order. */
  run<T>(flow: string, step: () => Promise<T>): Promise<T>;
  /** Steps of this flow waiting for a turn (for admission control). */
  waiting(flow: string): number;
  stats(): FairSchedulerStats;
}

export function createFairScheduler(opts: { slots: number; quantumMs?: number; now?: () => number }): FairScheduler {
  if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new RangeError('slots must be a whole number of at least 1');
  const slots = opts.slots;
  const quantum = opts.quantumMs ?? 1;
  const now = opts.now ?? (() => performance.now());
  /** Flows with waiting steps, in round-robin order; a flow leaves when its queue empties. */
  const ring: Flow[] = [];
  const byKey = new Map<string, Flow>();
  let cursor = 0;
  let running = 0;
  let waitingTotal = 0;

  function execute(flow: Flow | undefined, step: () => Promise<unknown>): Promise<unknown> {
    running++;
    const started = now();
    let settled: Promise<unknown>;
    try {
      settled = step();
    } catch (err) {
      settled = Promise.reject(err);
    }
    return settled.finally(() => {
      running--;
      if (flow && byKey.get(flow.key) === flow) flow.deficit -= now() - started;
      dispatch();
    });
  }

  /** Picks the next flow whose deficit allows a step; when none does, every flow gets the refill that makes the richest eligible. */
  function next(): Flow {
    for (;;) {
      for (let i = 0; i < ring.length; i++) {
        const idx = (cursor + i) % ring.length;
        const flow = ring[idx]!;
        if (flow.deficit >= 0) {
          cursor = idx + 1;
          return flow;
        }
      }
      const richest = Math.max(...ring.map((f) => f.deficit));
      const rounds = Math.max(1, Math.ceil(-richest / quantum));
      for (const f of ring) f.deficit = Math.min(f.deficit + rounds * quantum, quantum);
    }
  }

  function dispatch(): void {
    while (running < slots && ring.length > 0) {
      const flow = next();
      const waiter = flow.queue.shift()!;
      waitingTotal--;
      if (flow.queue.length === 0) {
        const idx = ring.indexOf(flow);
        ring.splice(idx, 1);
        if (cursor > idx) cursor--;
        byKey.delete(flow.key);
      }
      if (cursor >= ring.length) cursor = 0;
      execute(flow, waiter.step).then(waiter.resolve, waiter.reject);
    }
  }

  return {
    run<T>(key: string, step: () => Promise<T>): Promise<T> {
      // Fast path: a free slot and nobody waiting.
      if (running < slots && ring.length === 0) return execute(undefined, step) as Promise<T>;
      let flow = byKey.get(key);
      if (!flow) {
        // A flow (re)joining starts with a clean deficit: DRR keeps no credit or debt for idle flows.
        flow = { key, queue: [], deficit: 0 };
        byKey.set(key, flow);
        ring.push(flow);
      }
      const f = flow;
      waitingTotal++;
      return new Promise<T>((resolve, reject) => {
        f.queue.push({ step, resolve: resolve as (v: unknown) => void, reject });
        dispatch();
      });
    },
    waiting: (key) => byKey.get(key)?.queue.length ?? 0,
    stats: () => ({ slots, running, waiting: waitingTotal, activeFlows: ring.length }),
  };
}
