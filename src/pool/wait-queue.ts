/** @module FIFO queue of acquires waiting for capacity, each bounded by a timeout. */
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
 * Only used at capacity (the slow path), so a plain array is enough: shift and splice are O(n)
 * in the number of waiting requests, which is bounded by the node's concurrency.
 */
export class WaitQueue {
  private readonly items: Waiter[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Queues an acquire; after timeoutMs it leaves the queue and rejects with onTimeout(). */
  wait(pending: PendingCreate, timeoutMs: number, onTimeout: () => Error): Promise<Grant> {
    return new Promise<Grant>((resolve, reject) => {
      const waiter: Waiter = { pending, resolve, reject, timer: undefined };
      waiter.timer = setTimeout(() => {
        const at = this.items.indexOf(waiter);
        if (at === -1) return;
        this.items.splice(at, 1);
        reject(onTimeout());
      }, timeoutMs);
      this.items.push(waiter);
    });
  }

  /** The longest-waiting acquire, removed from the queue with its timer stopped. */
  shift(): Waiter | undefined {
    const waiter = this.items.shift();
    if (waiter !== undefined) clearTimeout(waiter.timer);
    return waiter;
  }

  forEach(fn: (waiter: Waiter) => void): void {
    for (const waiter of this.items) fn(waiter);
  }

  rejectAll(err: Error): void {
    for (let waiter = this.shift(); waiter !== undefined; waiter = this.shift()) waiter.reject(err);
  }
}
