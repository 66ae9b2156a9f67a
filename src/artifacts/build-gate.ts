/**
 * @module How many code builds run at once: at most `slots` on the node and `perAccount` for any
 * one account; more wait (a bounded number per account, for a bounded time), served round-robin by
 * account. A build is a process that uses a core for seconds, so one account's deploy loop must
 * not hold every slot while another account waits.
 * Written by hand: a round robin over per-account FIFO queues is a few lines.
 */
import { stratusError, type StratusError } from '../shared/errors.ts';

export interface BuildGateOptions {
  /** Builds running at once on the node. */
  slots: number;
  /** Builds one account may have running at once. */
  perAccount: number;
  /** Builds one account may have waiting; more are refused at once with 429. */
  queuePerAccount: number;
  /** How long a build waits for its turn before it is refused with 429. */
  waitMs: number;
}

export interface BuildGate {
  /** Runs `work` when its turn comes; refuses with 429 when the account's queue is full or the wait is too long. */
  run<T>(accountId: string, work: () => Promise<T>, signal?: AbortSignal): Promise<T>;
  stats(): { running: number; waiting: number };
}

interface Waiter {
  start: () => void;
}

export function createBuildGate(opts: BuildGateOptions): BuildGate {
  const running = new Map<string, number>();
  const queues = new Map<string, Waiter[]>();
  /** Accounts with waiting builds, in round-robin order. */
  const ring: string[] = [];
  let total = 0;
  let waiting = 0;

  const runningOf = (accountId: string) => running.get(accountId) ?? 0;
  const canStart = (accountId: string) => total < opts.slots && runningOf(accountId) < opts.perAccount;

  function start(accountId: string): void {
    total++;
    running.set(accountId, runningOf(accountId) + 1);
  }

  function finish(accountId: string): void {
    total--;
    const n = runningOf(accountId) - 1;
    if (n <= 0) running.delete(accountId);
    else running.set(accountId, n);
    dispatch();
  }

  /** Starts waiters, taking accounts in ring order and skipping those at their own limit. */
  function dispatch(): void {
    for (let i = 0; i < ring.length && total < opts.slots; ) {
      const accountId = ring[i]!;
      if (!canStart(accountId)) {
        i++;
        continue;
      }
      const queue = queues.get(accountId)!;
      const waiter = queue.shift()!;
      waiting--;
      ring.splice(i, 1);
      if (queue.length > 0) ring.push(accountId);
      else queues.delete(accountId);
      start(accountId);
      waiter.start();
    }
  }

  function remove(accountId: string, waiter: Waiter): boolean {
    const queue = queues.get(accountId);
    const at = queue?.indexOf(waiter) ?? -1;
    if (at === -1) return false;
    queue!.splice(at, 1);
    waiting--;
    if (queue!.length === 0) {
      queues.delete(accountId);
      ring.splice(ring.indexOf(accountId), 1);
    }
    return true;
  }

  function turn(accountId: string, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(aborted());
    if (!queues.has(accountId) && canStart(accountId)) {
      start(accountId);
      return Promise.resolve();
    }
    const queue = queues.get(accountId) ?? [];
    if (queue.length >= opts.queuePerAccount) return Promise.reject(accountBusy(opts));
    return new Promise<void>((resolve, reject) => {
      const settle = (then: () => void) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        then();
      };
      const waiter: Waiter = { start: () => settle(resolve) };
      const timer = setTimeout(() => remove(accountId, waiter) && settle(() => reject(nodeBusy(opts.waitMs))), opts.waitMs);
      const onAbort = () => remove(accountId, waiter) && settle(() => reject(aborted()));
      signal?.addEventListener('abort', onAbort, { once: true });
      if (queue.length === 0) {
        queues.set(accountId, queue);
        ring.push(accountId);
      }
      queue.push(waiter);
      waiting++;
    });
  }

  return {
    async run(accountId, work, signal) {
      await turn(accountId, signal);
      try {
        return await work();
      } finally {
        finish(accountId);
      }
    },
    stats: () => ({ running: total, waiting }),
  };
}

function aborted(): StratusError {
  return stratusError('REQUEST_ABORTED.buildQueued');
}

function accountBusy(opts: BuildGateOptions): StratusError {
  return stratusError('REQUEST_THROTTLED.accountBuilds', {
    running: opts.perAccount,
    waiting: opts.queuePerAccount,
    retryAfterSeconds: 5,
    details: { Reason: 'ConcurrentBuildLimitExceeded' },
  });
}

function nodeBusy(waitMs: number): StratusError {
  return stratusError('REQUEST_THROTTLED.nodeBuilds', {
    seconds: Math.round(waitMs / 1000),
    retryAfterSeconds: 5,
  });
}
