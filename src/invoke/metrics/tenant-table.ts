/**
 * @module Per-tenant statistics with bounded memory: at most `capacity` entries over all functions,
 * the least recently seen dropped first.
 *
 * Hand-written as an intrusive doubly linked list (entries carry their own prev/next) because a
 * touch must be O(1) and allocation-free; re-inserting into a Map on every invocation would churn
 * its hash table. Node-local and in memory: a restart starts from nothing.
 */
import { CountsSlab, DurationHistogram } from './duration-histogram.ts';
import type { FunctionSeries, Series } from './function-series.ts';

export class TenantEntry {
  prev: TenantEntry | null = null;
  next: TenantEntry | null = null;
  invocations = 0;
  errors = 0;
  throttles = 0;
  coldStarts = 0;
  lastSeenMs = 0;

  constructor(
    readonly fn: FunctionSeries<TenantEntry>,
    readonly tenantId: string,
    /** Resolved once: the label cap decides it on first sight, and it never changes after. */
    readonly series: Series,
    readonly durations: DurationHistogram,
  ) {}
}

export class TenantTable {
  private head: TenantEntry | null = null;
  private tail: TenantEntry | null = null;
  private count = 0;
  private readonly slab = new CountsSlab();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** The tenant's entry, created on first sight (evicting the stalest one when full), now the most recent. */
  touch(fn: FunctionSeries<TenantEntry>, tenantId: string): TenantEntry {
    let entry = fn.tenants.get(tenantId);
    if (entry) {
      if (entry !== this.head) {
        this.unlink(entry);
        this.pushFront(entry);
      }
      return entry;
    }
    let durations: DurationHistogram;
    if (this.count >= this.capacity && this.tail) {
      // The evicted tenant's histogram goes to the newcomer: a full table allocates no more counts.
      durations = this.evict(this.tail).durations;
      durations.reset();
    } else {
      durations = new DurationHistogram(this.slab.take());
    }
    entry = new TenantEntry(fn, tenantId, fn.seriesFor(tenantId), durations);
    fn.tenants.set(tenantId, entry);
    this.pushFront(entry);
    this.count++;
    return entry;
  }

  private evict(entry: TenantEntry): TenantEntry {
    this.unlink(entry);
    entry.fn.tenants.delete(entry.tenantId);
    this.count--;
    return entry;
  }

  private unlink(entry: TenantEntry): void {
    if (entry.prev) entry.prev.next = entry.next;
    else this.head = entry.next;
    if (entry.next) entry.next.prev = entry.prev;
    else this.tail = entry.prev;
    entry.prev = null;
    entry.next = null;
  }

  private pushFront(entry: TenantEntry): void {
    entry.next = this.head;
    if (this.head) this.head.prev = entry;
    this.head = entry;
    if (!this.tail) this.tail = entry;
  }
}
