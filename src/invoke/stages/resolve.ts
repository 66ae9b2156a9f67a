/** @module Resolve stage: checks the request's own fields, then fixes the version that runs and the partition that runs it. */
import type { InvocationTarget, Resolver } from '../../control/index.ts';
import { formatEgressRule } from '../../shared/egress-policy.ts';
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
    ctx.partition = partitionOf(ctx.ref.fn, target.record.version, environmentRevision(target), ctx.tenantId);
    return next();
  };
}

/**
 * What an environment of this target is made from, beyond its version: the version's revision, and
 * the egress policy when it comes from the function's tag (which changes without a new revision of
 * a published version). A changed tag thus means new environments; none made under the old policy
 * is handed out again.
 */
function environmentRevision(target: InvocationTarget): string {
  const { record, egress } = target;
  return egress?.source === 'tag' ? `${record.revisionId} egress:${egress.rules.map(formatEgressRule).join(',')}` : record.revisionId;
}
