/** @module Tenancy stage: the call's tenant id must fit the function's tenancy, and a quarantined function or account is refused. */
import { required, type Stage } from '../invocation.ts';
import type { Quarantine } from '../quarantine.ts';
import { checkTenancy } from '../tenant-id.ts';

export function tenancyStage(deps: { quarantine?: Quarantine }): Stage {
  return (ctx, next) => {
    const { record } = required(ctx.target, 'the target');
    checkTenancy(record.functionName, record.tenantIsolationMode, ctx.tenantId);
    deps.quarantine?.check(record.accountId, record.functionName);
    return next();
  };
}
