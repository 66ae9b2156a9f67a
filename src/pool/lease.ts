/** @module A lease: one acquire's hold on one environment, released exactly once. */
import type { Environment, FatalReason, InvokeResult } from '../runtime/index.ts';
import type { Entry } from './idle-index.ts';
import type { Lease } from './types.ts';

/** The side of the pool a lease reports back to. */
export interface LeaseOwner {
  releaseEntry(entry: Entry, fatal: FatalReason | undefined, retire?: boolean): void;
}

/**
 * A class rather than an object literal with a closure: one small allocation per acquire on the
 * hottest path. Each acquire gets its own lease, so releasing a stale lease of an environment that
 * has since been leased again is a no-op instead of freeing someone else's invocation.
 */
export class PoolLease implements Lease {
  readonly env: Environment;
  private released = false;

  constructor(
    private readonly owner: LeaseOwner,
    private readonly entry: Entry,
    readonly cold: boolean,
    readonly initDurationMs: number,
  ) {
    this.env = entry.env;
  }

  release(result?: Pick<InvokeResult, 'fatal'>): void {
    if (this.released) return;
    this.released = true;
    this.owner.releaseEntry(this.entry, result?.fatal);
  }

  retire(): void {
    if (this.released) return;
    this.released = true;
    this.owner.releaseEntry(this.entry, undefined, true);
  }
}
