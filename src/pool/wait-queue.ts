/** @module Acquires waiting for capacity, each bounded by a timeout, served round-robin by account and in arrival order within one: an account that floods the node with cold starts does not make another account's cold start wait behind all of them. */
import type { Entry, PendingCreate } from './idle-index.ts';

/** What a waiter receives: an environment of its own partition handed over warm, or a reserved slot (null) to create one. */
export type Grant = Entry | null;

export interface Waiter {
  readonly pending: PendingCreate;
  resolve(grant: Grant): void;
  reject(err: unknown): void;
  timer: ReturnType<typeof setTimeout> | undefined;
}

/**
 * Only used at capacity (the slow path), so plain arrays are enough: shift and splice are O(n) in
 * the number of waiting requests, which is bounded by the node's concurrency.
 */
export class WaitQueue {
  private readonly byAccount = new Map<string, Waiter[]>();
  /** Accounts with waiters, in round-robin order. */
  private readonly ring: string[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Queues an acquire; after timeoutMs it leaves the queue and rejects with onTimeout(). */
  wait(pending: PendingCreate, timeoutMs: number, onTimeout: () => Error): Promise<Grant> {
    const account = pending.partition.fn.accountId;
    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = { pending, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        if (this.remove(account, waiter)) reject(onTimeout());
      }, timeoutMs);
      let queue = this.byAccount.get(account);
      if (!queue) {
        queue = [];
        this.byAccount.set(account, queue);
        this.ring.push(account);
      }
      queue.push(waiter);
      this.count++;
    });
  }

  /** The longest-waiting acquire of the next account in turn, removed from the queue with its timer stopped. */
  shift(): Waiter | undefined {
    const account = this.ring.shift();
    if (account === undefined) return undefined;
    const queue = this.byAccount.get(account)!;
    const waiter = queue.shift()!;
    this.count--;
    if (queue.length > 0) this.ring.push(account);
    else this.byAccount.delete(account);
    clearTimeout(waiter.timer);
    return waiter;
  }

  forEach(fn: (waiter: Waiter) => void): void {
    for (const queue of this.byAccount.values()) for (const waiter of queue) fn(waiter);
  }

  rejectAll(err: Error): void {
    for (let waiter = this.shift(); waiter !== undefined; waiter = this.shift()) waiter.reject(err);
  }

  private remove(account: string, waiter: Waiter): boolean {
    const queue = this.byAccount.get(account);
    const at = queue?.indexOf(waiter) ?? -1;
    if (at === -1) return false;
    queue!.splice(at, 1);
    this.count--;
    if (queue!.length === 0) {
      this.byAccount.delete(account);
      this.ring.splice(this.ring.indexOf(account), 1);
    }
    return true;
  }
}
