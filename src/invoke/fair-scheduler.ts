/**
 * @module Fair CPU scheduling: at most `slots` guest steps run at once on the node, and steps that
 * wait are served by deficit round robin across flows (one flow per function tenant), so a tenant
 * sending 100x the traffic of the others waits behind its own work, not in front of theirs.
 * An optional gate (the load governor) can hold grants back to pace them; waiters then stay queued
 * in the same round-robin order until it has room.
 * Written by hand: no library offers DRR over async steps; the ring and deficits are ~100 lines.
 */

import type { AdmissionGate } from './load-governor.ts';

interface Waiter {
  grant: (release: () => void) => void;
}

interface Flow {
  key: string;
  queue: Waiter[];
  /** DRR deficit in ms: charged with the measured hold time of each grant, refilled by a quantum per round. */
  deficit: number;
}

export interface FairSchedulerStats {
  slots: number;
  running: number;
  waiting: number;
  activeFlows: number;
}

export interface FairScheduler {
  /**
   * Waits for a slot for this flow; call the returned release exactly once when done (extra calls
   * are ignored). With `wait`, a waiter that gets no slot within `timeoutMs` is rejected with `error()`.
   */
  acquire(flow: string, wait?: { timeoutMs: number; error: () => Error }): Promise<() => void>;
  /** Runs `step` in a slot of its flow. Steps of one flow start in arrival order. */
  run<T>(flow: string, step: () => Promise<T>): Promise<T>;
  /** Grants of this flow waiting for a slot (for admission control). */
  waiting(flow: string): number;
  stats(): FairSchedulerStats;
}

export interface FairSchedulerOptions {
  slots: number;
  maxPerFlow?: number;
  quantumMs?: number;
  now?: () => number;
  /** Asked before every grant: when it has no token, waiters stay queued until it has (see load-governor.ts). */
  gate?: AdmissionGate;
  /**
   * Grants per event-loop turn at most. A grant's work (signature, body, the engine call) runs
   * synchronously in the turn that grants it, so a burst of grants is one long turn during which
   * no other request is even read; past the budget, waiters are granted in the next turn, in the
   * same round-robin order, after the loop has polled for new requests.
   */
  perTurn?: number;
}

export function createFairScheduler(opts: FairSchedulerOptions): FairScheduler {
  if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new RangeError('slots must be a whole number of at least 1');
  const slots = opts.slots;
  // One flow may hold at most this many slots, so a flow whose work sleeps cannot hold them all.
  const maxPerFlow = Math.max(1, Math.min(slots, opts.maxPerFlow ?? slots));
  const held = new Map<string, number>();
  const quantum = opts.quantumMs ?? 1;
  const now = opts.now ?? (() => performance.now());
  /** Flows with waiting grants, in round-robin order; a flow leaves when its queue empties. */
  const ring: Flow[] = [];
  const byKey = new Map<string, Flow>();
  let cursor = 0;
  let running = 0;
  let waitingTotal = 0;
  const gate = opts.gate;
  let wake: NodeJS.Timeout | undefined;
  const perTurn = opts.perTurn ?? Infinity;
  if (!(perTurn === Infinity || (Number.isInteger(perTurn) && perTurn >= 1))) throw new RangeError('perTurn must be a whole number of at least 1');
  let grantedThisTurn = 0;
  let nextTurn: NodeJS.Immediate | undefined;
  const turnFull = () => grantedThisTurn >= perTurn;
  /** Counts a grant against this turn's budget; the budget renews at the loop's next check phase. */
  function spendTurn(): void {
    grantedThisTurn++;
    nextTurn ??= setImmediate(() => {
      nextTurn = undefined;
      grantedThisTurn = 0;
      dispatch();
    });
  }

  const heldBy = (key: string) => held.get(key) ?? 0;

  /** Takes a slot now; the release charges the flow (if it is still queueing) for the time held. */
  function take(key: string, flow: Flow | undefined): () => void {
    if (perTurn !== Infinity) spendTurn();
    running++;
    held.set(key, heldBy(key) + 1);
    const started = now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running--;
      const n = heldBy(key) - 1;
      if (n === 0) held.delete(key);
      else held.set(key, n);
      if (flow && byKey.get(flow.key) === flow) flow.deficit -= now() - started;
      dispatch();
    };
  }

  /**
   * Picks the next flow under its slot cap whose deficit allows a grant; when none does, every flow
   * gets the refill that makes the richest eligible. Undefined when every waiting flow is at its cap.
   */
  function next(): Flow | undefined {
    const eligible = ring.filter((f) => heldBy(f.key) < maxPerFlow);
    if (eligible.length === 0) return undefined;
    for (;;) {
      for (let i = 0; i < ring.length; i++) {
        const idx = (cursor + i) % ring.length;
        const flow = ring[idx]!;
        if (flow.deficit >= 0 && heldBy(flow.key) < maxPerFlow) {
          cursor = idx + 1;
          return flow;
        }
      }
      const richest = Math.max(...eligible.map((f) => f.deficit));
      const rounds = Math.max(1, Math.ceil(-richest / quantum));
      for (const f of ring) f.deficit = Math.min(f.deficit + rounds * quantum, quantum);
    }
  }

  function leave(flow: Flow): void {
    const idx = ring.indexOf(flow);
    if (idx === -1) return;
    ring.splice(idx, 1);
    if (cursor > idx) cursor--;
    if (cursor >= ring.length) cursor = 0;
    byKey.delete(flow.key);
  }

  function dispatch(): void {
    while (running < slots && ring.length > 0) {
      if (!ring.some((f) => heldBy(f.key) < maxPerFlow)) return;
      // Out of grants for this turn: spendTurn's immediate dispatches again next turn.
      if (turnFull()) return;
      if (gate && !gate.tryTake()) {
        // Paced: nothing releases a slot to call dispatch again, so a timer does when the gate refills.
        wake ??= setTimeout(() => {
          wake = undefined;
          dispatch();
        }, gate.msUntilNext());
        return;
      }
      const flow = next()!;
      const waiter = flow.queue.shift()!;
      waitingTotal--;
      if (flow.queue.length === 0) leave(flow);
      if (cursor >= ring.length) cursor = 0;
      waiter.grant(take(flow.key, flow));
    }
  }

  function acquire(key: string, wait?: { timeoutMs: number; error: () => Error }): Promise<() => void> {
    // Fast path: a free slot, nobody waiting, and the flow under its cap.
    if (running < slots && ring.length === 0 && heldBy(key) < maxPerFlow && !turnFull() && (!gate || gate.tryTake())) return Promise.resolve(take(key, undefined));
    let flow = byKey.get(key);
    if (!flow) {
      // A flow (re)joining starts with a clean deficit: DRR keeps no credit or debt for idle flows.
      flow = { key, queue: [], deficit: 0 };
      byKey.set(key, flow);
      ring.push(flow);
    }
    const f = flow;
    waitingTotal++;
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      const waiter: Waiter = {
        grant: (release) => {
          if (timer) clearTimeout(timer);
          resolve(release);
        },
      };
      if (wait) {
        timer = setTimeout(() => {
          const idx = f.queue.indexOf(waiter);
          if (idx === -1) return;
          f.queue.splice(idx, 1);
          waitingTotal--;
          if (f.queue.length === 0) leave(f);
          reject(wait.error());
        }, wait.timeoutMs);
      }
      f.queue.push(waiter);
      dispatch();
    });
  }

  return {
    acquire,
    async run<T>(key: string, step: () => Promise<T>): Promise<T> {
      const release = await acquire(key);
      try {
        return await step();
      } finally {
        release();
      }
    },
    waiting: (key) => byKey.get(key)?.queue.length ?? 0,
    stats: () => ({ slots, running, waiting: waitingTotal, activeFlows: ring.length }),
  };
}
