/** @module Types of per-tenant metrics: the events of the pipeline's observer port, and the statistics read back. */
import type { Clock } from '../../shared/clock.ts';
import type { LoadGovernorStats } from '../load-governor.ts';
import type { InvocationObserver } from '../observer.ts';

export type { InvocationObserver };

/** The pipeline's events, taken from its observer port so the two cannot drift apart. */
export type InvokedEvent = Parameters<InvocationObserver['invoked']>[0];
export type ThrottledEvent = Parameters<InvocationObserver['throttled']>[0];
export type InvocationOutcome = InvokedEvent['outcome'];
export type ThrottleReason = ThrottledEvent['reason'];

/** What one tenant of one function did on this node since it was first (or again) tracked. */
export interface TenantStat {
  tenantId: string;
  invocations: number;
  errors: number;
  throttles: number;
  coldStarts: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  /** ISO 8601 time of the tenant's latest invocation or throttle. */
  lastSeen: string;
}

/** The read side the API serves: `/metrics` and the per-function tenants route. */
export interface TenantMetricsReader {
  /** Every series in the Prometheus text exposition format (0.0.4). */
  prometheus(): Promise<string>;
  /** The tenants of one function, most invocations first; `[]` for unknown or non-tenant functions. */
  tenantStats(accountId: string, functionName: string): TenantStat[];
}

export interface TenantMetrics extends InvocationObserver, TenantMetricsReader {
  /** Content-Type of `prometheus()`'s text. */
  readonly contentType: string;
}

export interface TenantMetricsOptions {
  /** Distinct tenants per function that get their own `tenant` label; later ones share `tenant="_other"`. */
  tenantLabelCap: number;
  /** Per-tenant statistics kept at most (least recently seen dropped first); default 100,000. */
  maxTrackedTenants?: number;
  clock?: Clock;
  /** The node's load governor, read at scrape time (its gauges are left out without one). */
  load?: () => NodeLoad;
}

/** What the metrics read of the load governor (its stats: utilization, pacing rate or null, paced admissions). */
export type NodeLoad = Pick<LoadGovernorStats, 'utilization' | 'rate' | 'paced'>;
