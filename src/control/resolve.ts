/** @module Resolves what an invocation runs: FunctionName + Qualifier to one concrete version, applying alias weights. */
import type { FunctionStore, FunctionVersionRecord } from '../store/index.ts';
import { invalidParameter, stratusError } from '../shared/errors.ts';
import { LATEST, functionArn, parseFunctionRef } from './arn.ts';

export interface InvocationTarget {
  /** The version that runs (for an alias: the one its weights picked). */
  record: FunctionVersionRecord;
  /** The ARN the caller invoked (with the alias or version it named), as context.invokedFunctionArn. */
  invokedArn: string;
}

export function createResolver(deps: { functions: FunctionStore; region: string; random?: () => number }) {
  const { functions, region } = deps;
  const random = deps.random ?? Math.random;

  return async function resolve(accountId: string, functionName: string, queryQualifier?: string): Promise<InvocationTarget> {
    const ref = parseFunctionRef(functionName);
    if (ref.qualifier !== undefined && queryQualifier !== undefined && ref.qualifier !== queryQualifier) {
      throw invalidParameter('Qualifier', `the function name names qualifier '${ref.qualifier}' but the Qualifier parameter is '${queryQualifier}': give only one`);
    }
    const qualifier = ref.qualifier ?? queryQualifier;
    const notFound = () => stratusError('FUNCTION_NOT_FOUND', `Function not found: ${functionArn(region, accountId, ref.name, qualifier)}`);
    // Another account's ARN is treated as not found: cross-account access comes with resource policies.
    if (ref.accountId !== undefined && ref.accountId !== accountId) throw notFound();
    const invokedArn = functionArn(region, accountId, ref.name, qualifier);

    let version = qualifier ?? LATEST;
    if (version !== LATEST && !/^\d+$/.test(version)) {
      const alias = await functions.getAlias({ accountId, functionName: ref.name, name: version });
      if (!alias) throw notFound();
      version = alias.functionVersion;
      const extra = Object.entries(alias.additionalVersionWeights)[0];
      if (extra && random() < extra[1]) version = extra[0];
    }
    const record = await functions.getVersion({ accountId, functionName: ref.name, version });
    if (!record) throw notFound();
    return { record, invokedArn };
  };
}

export type Resolver = ReturnType<typeof createResolver>;
