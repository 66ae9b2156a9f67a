/** @module Admission stage: a bounded number of invocations at work on the node, waiting ones served account first, then function, then tenant. */
import { stratusError } from '../../shared/errors.ts';
import type { FlowPath } from '../../shared/identity.ts';
import type { Stage } from '../invocation.ts';

/** A bounded number of invocations at work on the node (the fair scheduler's acquire). */
export interface Admission {
  acquire(flow: FlowPath, wait?: { timeoutMs: number; error: () => Error }): Promise<() => void>;
}

/** How long an invocation waits for an admission slot before it is turned away with 429. */
export const ADMISSION_WAIT_MS = 10_000;
/** Longest function name or tenant id kept in an admission flow; longer tenant ids are refused by a later stage. */
const MAX_NAME_PART = 256;

const nodeBusy = () =>
  stratusError('REQUEST_THROTTLED.invoke', {
    seconds: ADMISSION_WAIT_MS / 1000,
    details: { Reason: 'ConcurrentInvocationLimitExceeded' },
  });

export function admissionStage(deps: { admission: Admission; activeFlow?: (flow: string) => void }): Stage {
  return async (ctx, next) => {
    const flow: FlowPath = [ctx.ref.fn.accountId, ctx.ref.fn.name, (ctx.tenantId ?? '').slice(0, MAX_NAME_PART)];
    deps.activeFlow?.(flow.join('\u0000'));
    const release = await deps.admission.acquire(flow, { timeoutMs: ADMISSION_WAIT_MS, error: nodeBusy });
    if (ctx.holdAdmission) {
      ctx.holdAdmission(release);
      return next();
    }
    try {
      return await next();
    } finally {
      release();
    }
  };
}
