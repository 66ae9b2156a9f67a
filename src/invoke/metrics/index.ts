/** @module Public face of per-tenant invocation metrics: the observer, Prometheus text, and tenant statistics. */
export { createTenantMetrics, DEFAULT_MAX_TRACKED_TENANTS } from './tenant-metrics.ts';
export { OTHER_TENANT, DURATION_BUCKETS_SECONDS } from './function-series.ts';
export type {
  InvocationObserver,
  InvocationOutcome,
  InvokedEvent,
  TenantMetrics,
  TenantMetricsOptions,
  TenantMetricsReader,
  TenantStat,
  ThrottledEvent,
  ThrottleReason,
} from './types.ts';
