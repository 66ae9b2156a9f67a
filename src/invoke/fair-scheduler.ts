/**
 * @module Hierarchical fair scheduling of a bounded number of slots: account first, then function,
 * then tenant. Waiting work is served by deficit round robin at every level (charged with the time
 * each grant holds its slot), so an account with many functions or tenants gets no more than one
 * with few. Every account with waiting work and no slot gets one at once, even past the bound
 * (over-subscription), so no account, whatever it runs, can make another wait for a slot; an
 * account at its fair share waits while other accounts do. Idle shares go to whoever waits.
 * An optional gate (the load governor) and a per-turn budget can hold grants back; waiters then
 * stay queued in the same order.
 * Written by hand: no library offers hierarchical DRR over async grants.
 */

import type { AdmissionGate } from './load-governor.ts';

/** Where a grant belongs, outermost first: [account, function, tenant]. One to three levels. */
export type FlowPath = readonly string[];

interface Waiter {
  grant: (release: () => void) => void;
}

/** A node of the tree: an account, a function of it, or a tenant of that (the leaves hold the queues). */
interface Node {
  key: string;
  parent: Node | null;
  children: Map<string, Node>;
  /** Children with waiting work, in round-robin order. */
  ring: Node[];
  cursor: number;
  /** DRR deficit in ms: charged with each grant's hold time, refilled by a quantum per round. */
  deficit: number;
  /** Slots held in this subtree. */
  held: number;
  /** Waiters in this subtree. */
  waiting: number;
  /** Leaves only. */
  queue: Waiter[];
}

export interface FairSchedulerStats {
  slots: number;
  running: number;
  waiting: number;
  /** Leaves (account, function, tenant) with waiting work. */
  activeFlows: number;
  /** Accounts holding or waiting for a slot. */
  activeAccounts: number;
}

export interface FairScheduler {
  /**
   * Waits for a slot for this flow; call the returned release exactly once when done (extra calls
   * are ignored). With `wait`, a waiter that gets no slot within `timeoutMs` is rejected with `error()`.
   */
  acquire(flow: FlowPath, wait?: { timeoutMs: number; error: () => Error }): Promise<() => void>;
  /** Runs `step` in a slot of its flow. Steps of one flow start in arrival order. */
  run<T>(flow: FlowPath, step: () => Promise<T>): Promise<T>;
  /** Grants of this flow waiting for a slot. */
  waiting(flow: FlowPath): number;
  stats(): FairSchedulerStats;
}

export interface FairSchedulerOptions {
  slots: number;
  /** Slots one leaf (tenant) may hold at most, so a flow whose work sleeps cannot hold its account's all. */
  maxPerFlow?: number;
  quantumMs?: number;
  now?: () => number;
  /** Asked before every grant: when it has no token, waiters stay queued until it has (see load-governor.ts). */
  gate?: AdmissionGate;
  /**
   * Grants per event-loop turn at most. A grant's work runs synchronously in the turn that grants
   * it, so a burst of grants is one long turn during which no other request is even read; past the
   * budget, waiters are granted in the next turn, in the same order, after the loop polled again.
   */
  perTurn?: number;
}

function newNode(key: string, parent: Node | null): Node {
  return { key, parent, children: new Map(), ring: [], cursor: 0, deficit: 0, held: 0, waiting: 0, queue: [] };
}

export function createFairScheduler(opts: FairSchedulerOptions): FairScheduler {
  if (!Number.isInteger(opts.slots) || opts.slots < 1) throw new RangeError('slots must be a whole number of at least 1');
  const slots = opts.slots;
  const maxPerFlow = Math.max(1, Math.min(slots, opts.maxPerFlow ?? slots));
  const quantum = opts.quantumMs ?? 1;
  const now = opts.now ?? (() => performance.now());
  const gate = opts.gate;
  const perTurn = opts.perTurn ?? Infinity;
  if (!(perTurn === Infinity || (Number.isInteger(perTurn) && perTurn >= 1))) throw new RangeError('perTurn must be a whole number of at least 1');
  const root = newNode('', null);
  let running = 0;
  let leavesWaiting = 0;
  // biome-ignore lint/correctness/noUnusedVariables: read by `wake ??=`, which Biome counts only as a write.
  let wake: NodeJS.Timeout | undefined;
  let grantedThisTurn = 0;
  // biome-ignore lint/correctness/noUnusedVariables: read by `nextTurn ??=`, which Biome counts only as a write.
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

  function find(path: FlowPath): Node | undefined {
    let node: Node | undefined = root;
    for (const key of path) node = node?.children.get(key);
    return node;
  }

  function ensure(path: FlowPath): Node {
    let node = root;
    for (const key of path) {
      let child = node.children.get(key);
      if (!child) {
        child = newNode(key, node);
        node.children.set(key, child);
      }
      node = child;
    }
    return node;
  }

  /** Drops nodes that hold nothing and wait for nothing, from `node` up. */
  function prune(node: Node): void {
    for (let n: Node | null = node; n?.parent; n = n.parent) {
      if (n.held > 0 || n.waiting > 0) return;
      n.parent.children.delete(n.key);
    }
  }

  /** Adds `delta` waiters along the path of `leaf`, joining or leaving parents' rings as counts cross zero. */
  function countWaiting(leaf: Node, delta: 1 | -1): void {
    root.waiting += delta;
    for (let n: Node | null = leaf; n?.parent; n = n.parent) {
      n.waiting += delta;
      if (delta === 1 && n.waiting === 1) {
        // A node (re)joining starts with a clean deficit: DRR keeps no credit or debt for idle nodes.
        n.deficit = 0;
        n.parent.ring.push(n);
      } else if (delta === -1 && n.waiting === 0) {
        const ring = n.parent.ring;
        const at = ring.indexOf(n);
        ring.splice(at, 1);
        if (n.parent.cursor > at) n.parent.cursor--;
        if (n.parent.cursor >= ring.length) n.parent.cursor = 0;
      }
    }
    if (delta === 1 && leaf.waiting === 1) leavesWaiting++;
    else if (delta === -1 && leaf.waiting === 0) leavesWaiting--;
  }

  const accountsActive = () => root.children.size;

  /**
   * May this account be granted now? One with no slot always may (the guarantee). Below the bound,
   * one under its fair share may; one at or over it only when no other account has waiting work.
   */
  function accountMay(account: Node, othersWaiting: boolean): boolean {
    if (account.held === 0) return true;
    if (running >= slots) return false;
    const share = Math.max(1, Math.ceil(slots / accountsActive()));
    return account.held < share || !othersWaiting;
  }

  /** Whether some leaf under `node` has a waiter it may grant now. */
  function grantable(node: Node): boolean {
    if (node.children.size === 0 && node !== root) return node.queue.length > 0 && node.held < maxPerFlow;
    return node.ring.some(grantable);
  }

  /** Deficit round robin over `node`'s ring among children that `ok` allows. */
  function pick(node: Node, ok: (child: Node) => boolean): Node | undefined {
    const eligible = node.ring.filter(ok);
    if (eligible.length === 0) return undefined;
    for (;;) {
      for (let i = 0; i < node.ring.length; i++) {
        const idx = (node.cursor + i) % node.ring.length;
        const child = node.ring[idx]!;
        if (child.deficit >= 0 && ok(child)) {
          node.cursor = idx + 1;
          return child;
        }
      }
      const richest = Math.max(...eligible.map((c) => c.deficit));
      const rounds = Math.max(1, Math.ceil(-richest / quantum));
      for (const c of node.ring) c.deficit = Math.min(c.deficit + rounds * quantum, quantum);
    }
  }

  /** The leaf to grant next, or undefined when no waiter may be granted now. */
  function next(): Node | undefined {
    const waitingAccounts = root.ring.filter(grantable);
    const othersWaiting = waitingAccounts.length > 1;
    let node = pick(root, (a) => waitingAccounts.includes(a) && accountMay(a, othersWaiting));
    while (node && node.children.size > 0) node = pick(node, grantable);
    return node;
  }

  /** Takes a slot for `leaf`; the release charges every level for the time held. */
  function take(leaf: Node): () => void {
    if (perTurn !== Infinity) spendTurn();
    running++;
    for (let n: Node | null = leaf; n; n = n.parent) n.held++;
    const started = now();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      running--;
      const heldFor = now() - started;
      for (let n: Node | null = leaf; n?.parent; n = n.parent) {
        n.held--;
        n.deficit -= heldFor;
      }
      root.held--;
      prune(leaf);
      dispatch();
    };
  }

  function dispatch(): void {
    while (root.waiting > 0) {
      if (turnFull()) return; // spendTurn's immediate dispatches again next turn
      const leaf = next();
      if (!leaf) return;
      if (gate && !gate.tryTake()) {
        // Paced: nothing releases a slot to call dispatch again, so a timer does when the gate refills.
        wake ??= setTimeout(() => {
          wake = undefined;
          dispatch();
        }, gate.msUntilNext());
        return;
      }
      const waiter = leaf.queue.shift()!;
      countWaiting(leaf, -1);
      waiter.grant(take(leaf));
    }
  }

  function acquire(path: FlowPath, wait?: { timeoutMs: number; error: () => Error }): Promise<() => void> {
    const leaf = ensure(path);
    const account = ensure(path.slice(0, 1));
    // Fast path: nobody waiting, the flow under its cap, and a slot free or this account without one.
    if (root.waiting === 0 && leaf.held < maxPerFlow && (running < slots || account.held === 0) && !turnFull() && (!gate || gate.tryTake())) {
      return Promise.resolve(take(leaf));
    }
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
          const idx = leaf.queue.indexOf(waiter);
          if (idx === -1) return;
          leaf.queue.splice(idx, 1);
          countWaiting(leaf, -1);
          prune(leaf);
          reject(wait.error());
        }, wait.timeoutMs);
      }
      leaf.queue.push(waiter);
      countWaiting(leaf, 1);
      dispatch();
    });
  }

  return {
    acquire,
    async run<T>(path: FlowPath, step: () => Promise<T>): Promise<T> {
      const release = await acquire(path);
      try {
        return await step();
      } finally {
        release();
      }
    },
    waiting: (path) => find(path)?.queue.length ?? 0,
    stats: () => ({ slots, running, waiting: root.waiting, activeFlows: leavesWaiting, activeAccounts: accountsActive() }),
  };
}
