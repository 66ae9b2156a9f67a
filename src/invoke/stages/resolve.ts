/** @module Resolve stage: checks the request's own fields, then fixes the version that runs and the partition that runs it. */
import type { Resolver } from '../../control/index.ts';
import { stratusError } from '../../shared/errors.ts';
import { partitionOf } from '../../shared/identity.ts';
import type { Stage } from '../invocation.ts';
import { validateTenantId } from '../tenant-id.ts';

export function resolveStage(deps: { resolve: Resolver }): Stage {
  return async (ctx, next) => {
    if (ctx.rawPayload.length > ctx.maxPayloadBytes) {
      throw stratusError('INVOKE_PAYLOAD_TOO_LARGE', { limit: ctx.maxPayloadBytes, bytes: ctx.rawPayload.length });
    }
    if (ctx.tenantId !== undefined) validateTenantId(ctx.tenantId);
    const target = await deps.resolve(ctx.ref);
    ctx.target = target;
    ctx.partition = partitionOf(ctx.ref.fn, target.record.version, target.record.revisionId, ctx.tenantId);
    return next();
  };
}
