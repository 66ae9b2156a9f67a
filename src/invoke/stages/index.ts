/** @module The invocation stages, built once with their dependencies; each caller composes the list it needs. */
import type { Resolver } from '../../control/index.ts';
import type { Stage } from '../invocation.ts';
import type { TenantLimiter } from '../tenant-limiter.ts';
import { admissionStage, type Admission } from './admission.ts';
import { limitsStage } from './limits.ts';
import { payloadStage } from './payload.ts';
import { resolveStage } from './resolve.ts';
import { runStage, type RunStageDeps } from './run.ts';
import { tenancyStage } from './tenancy.ts';

export interface InvocationStages {
  /** Fair admission on the node (account, function, tenant). */
  admission: Stage;
  /** Request checks, then the version that runs and its partition. */
  resolve: Stage;
  /** Tenant id against the function's tenancy; quarantine. */
  tenancy: Stage;
  /** The event must be JSON. */
  payload: Stage;
  /** The tenant's own limits. */
  limits: Stage;
  /** Lease an environment and run: the last stage, it makes the Outcome. */
  run: Stage;
}

export interface StageDeps extends RunStageDeps {
  resolve: Resolver;
  limiter: TenantLimiter;
  admission: Admission;
  /** Told the flow of every admitted invocation: the load governor paces only while two or more compete. */
  activeFlow?: (flow: string) => void;
}

export function createInvocationStages(deps: StageDeps): InvocationStages {
  return {
    admission: admissionStage(deps),
    resolve: resolveStage(deps),
    tenancy: tenancyStage(deps),
    payload: payloadStage,
    limits: limitsStage(deps),
    run: runStage(deps),
  };
}

export { ADMISSION_WAIT_MS, type Admission } from './admission.ts';
export { MAX_SYNC_RESULT_BYTES } from './run.ts';
