/** @module Public face of the invocation layer. */
export { compose, type InvocationContext, type Outcome, type Stage, type Timings } from './invocation.ts';
export { createInvocationStages, ADMISSION_WAIT_MS, MAX_SYNC_RESULT_BYTES, type Admission, type InvocationStages, type StageDeps } from './stages/index.ts';
export { frameLog, logTail } from './log-format.ts';
export { createCheckedBuilder } from './deploy-check.ts';
export { createQuarantine, type Quarantine } from './quarantine.ts';
export { createFairScheduler, type FairScheduler, type FairSchedulerStats, type FlowPath } from './fair-scheduler.ts';
export { createTenantLimiter, type TenantLimiter } from './tenant-limiter.ts';
export type { InvocationObserver } from './observer.ts';
export { createTenantMetrics, type TenantMetrics, type TenantStat } from './metrics/index.ts';
export { TENANT_ID_RULE, validateTenantId } from './tenant-id.ts';
export { createLoadGovernor, type AdmissionGate, type LoadGovernor, type LoadGovernorStats } from './load-governor.ts';
export { createInvokeModule, invokeSettings, type InvokeModuleDeps, type InvokeServices, type InvokeSettings } from './module.ts';
