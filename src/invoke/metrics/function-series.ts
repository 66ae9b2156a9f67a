/**
 * @module The Prometheus series of each function, and the cap on its `tenant` label values.
 *
 * Counts live in plain fields rather than in prom-client metrics: prom-client hashes the label
 * object and allocates on every `inc`/`observe`, and this runs once per invocation. The registry
 * reads these fields only when `/metrics` is scraped (see prometheus-registry.ts).
 */
import type { InvocationOutcome, ThrottleReason } from './types.ts';

/** Label value of every tenant past a function's cap. */
export const OTHER_TENANT = '_other';

/** Upper bounds of `stratus_invocation_duration_seconds`: from isolate-fast calls to long timeouts. */
export const DURATION_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;
const LAST_BOUND = DURATION_BUCKETS_SECONDS.length;

/** One label set {account, function, tenant} and everything counted under it. */
export class Series {
  readonly labels: { account: string; function: string; tenant: string };
  success = 0;
  error = 0;
  coldStarts = 0;
  readonly throttles: Record<ThrottleReason, number> = { concurrency: 0, rate: 0, capacity: 0 };
  /** Per-bucket (not cumulative) counts; index LAST_BOUND counts what is over the last bound. */
  readonly buckets = new Float64Array(LAST_BOUND + 1);
  sumSeconds = 0;

  constructor(account: string, fn: string, tenant: string) {
    this.labels = { account, function: fn, tenant };
  }

  invoked(outcome: InvocationOutcome, seconds: number, cold: boolean): void {
    if (outcome === 'error') this.error++;
    else this.success++;
    if (cold) this.coldStarts++;
    let i = 0;
    while (i < LAST_BOUND && seconds > DURATION_BUCKETS_SECONDS[i]!) i++;
    this.buckets[i]!++;
    this.sumSeconds += seconds;
  }
}

/**
 * Everything known about one function: its series (at most `cap` tenant label values plus
 * `_other`) and, in `tenants`, the per-tenant statistics entries the tenant table owns.
 */
export class FunctionSeries<Entry> {
  /** Tenants with a label of their own, in the order first seen; never more than the cap. */
  private readonly labeled = new Map<string, Series>();
  private other?: Series;
  private untenanted?: Series;
  /** Statistics entries by tenant id; filled and emptied by the tenant table. */
  readonly tenants = new Map<string, Entry>();

  constructor(
    readonly accountId: string,
    readonly functionName: string,
    private readonly cap: number,
  ) {}

  /**
   * The series a tenant counts under. Called when the tenant table creates an entry (first sight,
   * or return after eviction) and kept there, so these lookups stay off the per-invocation path.
   */
  seriesFor(tenantId: string): Series {
    const own = this.labeled.get(tenantId);
    if (own) return own;
    // A tenant really named `_other` is indistinguishable from the fold anyway, so it joins it.
    if (this.labeled.size < this.cap && tenantId !== OTHER_TENANT) {
      const created = new Series(this.accountId, this.functionName, tenantId);
      this.labeled.set(tenantId, created);
      return created;
    }
    return (this.other ??= new Series(this.accountId, this.functionName, OTHER_TENANT));
  }

  /** The function's series without a tenant (functions without tenant isolation). */
  untenantedSeries(): Series {
    return (this.untenanted ??= new Series(this.accountId, this.functionName, ''));
  }

  *allSeries(): Iterable<Series> {
    if (this.untenanted) yield this.untenanted;
    yield* this.labeled.values();
    if (this.other) yield this.other;
  }
}
