/** @module Public face of the runtime layer: the Engine port and the engines that implement it. */
export type {
  CreateResult,
  Engine,
  Environment,
  EnvironmentMemory,
  EnvironmentSpec,
  IsolationMode,
  StepScheduler,
  FatalReason,
  GuestError,
  InvokeRequest,
  InvokeResult,
} from './engine.ts';
export { immediateSteps } from './engine.ts';
export { createIsolateEngine, isolateReservation, DEFAULT_MAX_LOG_BYTES, ISOLATE_RUNTIME, type IsolateEngineOptions, type CrashReporter } from './isolate/isolate-engine.ts';
export { isolatedVmBuild, IsolatedVmUnavailable, type IsolatedVmBuild } from './isolate/ivm.ts';
export { startEngineWorkers, WorkerExited, type EngineWorkers, type WorkerExit, type CallMeta } from './worker/supervisor.ts';
export { createWorkerEngine } from './worker/worker-engine.ts';
export {
  createEgressFetcher,
  egressLimits,
  guardedRange,
  DEFAULT_MAX_SUBREQUESTS,
  EGRESS_REFUSAL_CODES,
  type EgressFetcher,
  type EgressFetcherOptions,
  type EgressLimits,
  type EgressRefusal,
  type EgressRefusalCode,
  type EgressRequest,
  type EgressResponse,
  type EgressResult,
  type GuardedRange,
  type LookupFunction,
  type SubrequestRecord,
} from './egress/index.ts';
export { createRuntimeModule, runtimeSettings, type RunningCall, type RuntimeModuleDeps, type RuntimeServices, type RuntimeSettings } from './module.ts';
