/** @module Public face of the invocation layer. */
export { createInvokeService, MAX_SYNC_PAYLOAD_BYTES, type InvokeInput, type InvokeOutput, type InvokeService, type InvocationType } from './invoke-service.ts';
export { createCheckedBuilder } from './deploy-check.ts';
export { createQuarantine, type Quarantine } from './quarantine.ts';
export { createFairScheduler, type FairScheduler, type FairSchedulerStats, type FlowPath } from './fair-scheduler.ts';
export { createTenantLimiter, type TenantLimiter } from './tenant-limiter.ts';
export type { InvocationObserver } from './observer.ts';
export { createTenantMetrics, type TenantMetrics, type TenantStat } from './metrics/index.ts';
export { TENANT_ID_RULE, validateTenantId } from './tenant-id.ts';
export { createLoadGovernor, type AdmissionGate, type LoadGovernor, type LoadGovernorStats } from './load-governor.ts';
