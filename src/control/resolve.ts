/** @module Resolves what an invocation runs: a function and qualifier to one concrete version, applying alias weights. */
import type { FunctionStore, FunctionVersionRecord } from '../store/index.ts';
import { stratusError } from '../shared/errors.ts';
import type { EgressPolicy } from '../shared/egress-policy.ts';
import { LATEST, functionArn, isVersionQualifier, type QualifiedFunction } from './arn.ts';
import { effectiveEgress } from './egress.ts';

export interface InvocationTarget {
  /** The version that runs (for an alias: the one its weights picked). */
  record: FunctionVersionRecord;
  /** The ARN the caller invoked (with the alias or version it named), as context.invokedFunctionArn. */
  invokedArn: string;
  /** The hosts its outbound requests may reach, parsed (absent: none). */
  egress?: EgressPolicy;
}

export type Resolver = (ref: QualifiedFunction) => Promise<InvocationTarget>;

export function createResolver(deps: { functions: FunctionStore; region: string; random?: () => number }): Resolver {
  const { functions, region } = deps;
  const random = deps.random ?? Math.random;

  return async function resolve({ fn, qualifier }) {
    const invokedArn = functionArn(region, fn.accountId, fn.name, qualifier);
    const notFound = () => stratusError('FUNCTION_NOT_FOUND', { arn: invokedArn });
    let version = qualifier ?? LATEST;
    if (!isVersionQualifier(version)) {
      const alias = await functions.getAlias({ accountId: fn.accountId, functionName: fn.name, name: version });
      if (!alias) throw notFound();
      version = alias.functionVersion;
      const extra = Object.entries(alias.additionalVersionWeights)[0];
      if (extra && random() < extra[1]) version = extra[0];
    }
    const record = await functions.getVersion({ accountId: fn.accountId, functionName: fn.name, version });
    if (!record) throw notFound();
    // A published version without its own EgressPolicy follows the function's tag, which lives on $LATEST.
    const tags =
      record.version === LATEST || record.egressPolicy ? record.tags : (await functions.getVersion({ accountId: fn.accountId, functionName: fn.name, version: LATEST }))?.tags;
    const egress = effectiveEgress(record, tags);
    return egress ? { record, invokedArn, egress } : { record, invokedArn };
  };
}
