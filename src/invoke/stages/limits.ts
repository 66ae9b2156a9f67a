/** @module Limits stage: a tenant's own limits (concurrency, requests per second) are checked before an environment is spent on the call. */
import { required, type Stage } from '../invocation.ts';
import type { TenantLimiter } from '../tenant-limiter.ts';

export function limitsStage(deps: { limiter: TenantLimiter }): Stage {
  return async (ctx, next) => {
    if (ctx.tenantId === undefined) return next();
    const { fn } = required(ctx.partition, 'the partition');
    const release = await deps.limiter.admit(fn, ctx.tenantId);
    try {
      return await next();
    } finally {
      release();
    }
  };
}
