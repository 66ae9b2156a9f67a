/**
 * @module Per-tenant invocation metrics: the observer the invocation pipeline calls, the Prometheus
 * text of `/metrics`, and the statistics of the tenants route.
 *
 * Two views with different bounds. Prometheus series are capped per function: the first
 * `tenantLabelCap` tenants get their own `tenant` label, later ones share `tenant="_other"`, so a
 * SaaS with a million tenants cannot blow up the scrape. Tenant statistics are not capped per
 * function but node-wide (`maxTrackedTenants`, least recently seen dropped first). Both are
 * node-local and start from zero when the process restarts.
 */
import { systemClock } from '../../shared/clock.ts';
import { FunctionSeries, type Series } from './function-series.ts';
import { createMetricsRegistry } from './prometheus-registry.ts';
import { TenantTable, type TenantEntry } from './tenant-table.ts';
import type { InvokedEvent, TenantMetrics, TenantMetricsOptions, TenantStat, ThrottledEvent } from './types.ts';

export const DEFAULT_MAX_TRACKED_TENANTS = 100_000;

export function createTenantMetrics(opts: TenantMetricsOptions): TenantMetrics {
  const cap = opts.tenantLabelCap;
  const maxTracked = opts.maxTrackedTenants ?? DEFAULT_MAX_TRACKED_TENANTS;
  if (!Number.isInteger(cap) || cap < 0) throw new RangeError(`tenantLabelCap must be a whole number of 0 or more, got ${cap}`);
  if (!Number.isInteger(maxTracked) || maxTracked < 1) throw new RangeError(`maxTrackedTenants must be a whole number of 1 or more, got ${maxTracked}`);
  const clock = opts.clock ?? systemClock;

  /** account -> function -> state; two nested Maps so a lookup never builds a key string. */
  const byAccount = new Map<string, Map<string, FunctionSeries<TenantEntry>>>();
  const table = new TenantTable(maxTracked);

  function functionOf(accountId: string, functionName: string): FunctionSeries<TenantEntry> {
    let fns = byAccount.get(accountId);
    if (!fns) byAccount.set(accountId, (fns = new Map()));
    let fn = fns.get(functionName);
    if (!fn) fns.set(functionName, (fn = new FunctionSeries<TenantEntry>(accountId, functionName, cap)));
    return fn;
  }

  function* allSeries(): Iterable<Series> {
    for (const fns of byAccount.values()) for (const fn of fns.values()) yield* fn.allSeries();
  }

  const registry = createMetricsRegistry({ series: allSeries, trackedTenants: () => table.size, tenantLabelCap: cap, load: opts.load });

  return {
    contentType: registry.contentType,

    invoked(e: InvokedEvent): void {
      const fn = functionOf(e.accountId, e.functionName);
      // biome-ignore lint/complexity/useMathMinMax: the comparison sends NaN to 0; Math.max would pass NaN into the histogram.
      const ms = e.durationMs >= 0 ? e.durationMs : 0;
      if (e.tenantId === undefined) {
        fn.untenantedSeries().invoked(e.outcome, ms / 1000, e.cold);
        return;
      }
      const entry = table.touch(fn, e.tenantId);
      entry.invocations++;
      if (e.outcome === 'error') entry.errors++;
      if (e.cold) entry.coldStarts++;
      entry.durations.record(ms);
      entry.lastSeenMs = clock.now();
      entry.series.invoked(e.outcome, ms / 1000, e.cold);
    },

    throttled(e: ThrottledEvent): void {
      const fn = functionOf(e.accountId, e.functionName);
      if (e.tenantId === undefined) {
        fn.untenantedSeries().throttles[e.reason]++;
        return;
      }
      const entry = table.touch(fn, e.tenantId);
      entry.throttles++;
      entry.lastSeenMs = clock.now();
      entry.series.throttles[e.reason]++;
    },

    prometheus(): Promise<string> {
      return registry.metrics();
    },

    tenantStats(accountId: string, functionName: string): TenantStat[] {
      const fn = byAccount.get(accountId)?.get(functionName);
      if (!fn) return [];
      return [...fn.tenants.values()].map(statOf).sort((a, b) => b.invocations - a.invocations || (a.tenantId < b.tenantId ? -1 : a.tenantId > b.tenantId ? 1 : 0));
    },
  };
}

function statOf(entry: TenantEntry): TenantStat {
  const h = entry.durations;
  return {
    tenantId: entry.tenantId,
    invocations: entry.invocations,
    errors: entry.errors,
    throttles: entry.throttles,
    coldStarts: entry.coldStarts,
    p50Ms: round(h.quantile(0.5)),
    p90Ms: round(h.quantile(0.9)),
    p99Ms: round(h.quantile(0.99)),
    lastSeen: new Date(entry.lastSeenMs).toISOString(),
  };
}

/** Three decimals: microseconds are the finest a duration here means anything. */
function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
