/** @module The pool's bookkeeping records and its idle index: per-partition idle lists threaded through one global LRU order. */
import type { Environment } from '../runtime/index.ts';
import type { Partition } from '../shared/identity.ts';

/**
 * The environments of one partition. An environment records the partition it was created for and
 * only ever re-enters that partition's idle list, so a lookup by key can never yield another
 * partition's environment.
 */
export interface PartitionEnvs {
  readonly partition: Partition;
  /** Oldest idle environment of the partition. */
  head: Entry | null;
  /** Most recently released idle environment: the one a warm acquire takes. */
  tail: Entry | null;
  /** Idle + busy environments of the partition. */
  live: number;
  /** Set by evictFunction: the partition is detached from the pool and its busy environments die on release. */
  doomed: boolean;
}

/** A reserved capacity slot for an environment being created; evictFunction can doom it before it exists. */
export interface PendingCreate {
  readonly partition: Partition;
  doomed: boolean;
}

export type EntryState = 'idle' | 'busy' | 'gone';

/**
 * One live environment. The links are intrusive (fields, not wrapper nodes) so moving an
 * environment between busy and idle allocates nothing and costs O(1).
 */
export class Entry {
  state: EntryState = 'busy';
  /** Clock time of the last release: the keep-alive age and the LRU order. */
  lastUsed = 0;
  /** Last measured memory().used, so the pool keeps a running total instead of summing on every release. */
  mem = 0;
  /** memory().reserved, known from the engine before the environment was created. */
  reserved = 0;
  /** Inherited from a doomed PendingCreate: dispose on release. */
  doomed = false;
  partPrev: Entry | null = null;
  partNext: Entry | null = null;
  lruPrev: Entry | null = null;
  lruNext: Entry | null = null;

  constructor(
    readonly env: Environment,
    readonly part: PartitionEnvs,
  ) {}
}

export function newPartition(partition: Partition): PartitionEnvs {
  return { partition, head: null, tail: null, live: 0, doomed: false };
}

/**
 * All idle environments. Release order is global, so every partition's list is also ordered oldest
 * to newest: a warm acquire takes its partition's tail, eviction and keep-alive take the global head.
 */
export class IdleIndex {
  private lruHead: Entry | null = null;
  private lruTail: Entry | null = null;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The least recently released idle environment of any partition. */
  oldest(): Entry | null {
    return this.lruHead;
  }

  /** Makes a busy environment idle, as the newest of its partition and of the pool. */
  push(entry: Entry): void {
    const part = entry.part;
    entry.state = 'idle';
    entry.partPrev = part.tail;
    entry.partNext = null;
    if (part.tail === null) part.head = entry;
    else part.tail.partNext = entry;
    part.tail = entry;
    entry.lruPrev = this.lruTail;
    entry.lruNext = null;
    if (this.lruTail === null) this.lruHead = entry;
    else this.lruTail.lruNext = entry;
    this.lruTail = entry;
    this.count++;
  }

  /** Takes the partition's most recently used idle environment and marks it busy, or returns null. */
  takeNewest(part: PartitionEnvs): Entry | null {
    const entry = part.tail;
    if (entry === null) return null;
    this.remove(entry);
    entry.state = 'busy';
    return entry;
  }

  /** Unlinks an idle environment from both orders (the caller sets its next state). */
  remove(entry: Entry): void {
    const part = entry.part;
    if (entry.partPrev === null) part.head = entry.partNext;
    else entry.partPrev.partNext = entry.partNext;
    if (entry.partNext === null) part.tail = entry.partPrev;
    else entry.partNext.partPrev = entry.partPrev;
    if (entry.lruPrev === null) this.lruHead = entry.lruNext;
    else entry.lruPrev.lruNext = entry.lruNext;
    if (entry.lruNext === null) this.lruTail = entry.lruPrev;
    else entry.lruNext.lruPrev = entry.lruPrev;
    entry.partPrev = entry.partNext = entry.lruPrev = entry.lruNext = null;
    this.count--;
  }
}
