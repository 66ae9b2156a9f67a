/**
 * @module Typed identities: a function and a partition, made once where a request is parsed, with
 * the keys every layer derives from them (pool index, scheduling flow), so no layer re-parses them.
 */

declare const functionKeyBrand: unique symbol;
declare const partitionKeyBrand: unique symbol;

/** Unambiguous whatever characters the parts hold; only {@link functionId} makes one. */
export type FunctionKey = string & { readonly [functionKeyBrand]: true };
/** Unambiguous whatever characters the parts hold; only {@link partitionOf} makes one. */
export type PartitionKey = string & { readonly [partitionKeyBrand]: true };

/** A function of an account, by name (no qualifier). */
export interface FunctionId {
  readonly accountId: string;
  readonly name: string;
  readonly key: FunctionKey;
}

/** The path a scheduler serves by: account first, then function, then tenant (`''` without one). */
export type FlowPath = readonly string[];

/**
 * Which (account, function version, tenant) an environment belongs to for its whole life
 * (invariant 1). The tenant is part of it in multi-tenant mode.
 */
export interface Partition {
  readonly fn: FunctionId;
  /** A concrete version: `$LATEST` or `1`, `2`, ... (never an alias). */
  readonly version: string;
  /** The version's code revision (`$LATEST` changes code in place; its partition must change with it). */
  readonly codeRevision: string;
  readonly tenantId?: string;
  readonly key: PartitionKey;
  /** Account, function, tenant: how its guest steps and its admission are scheduled. */
  readonly flow: FlowPath;
}

export function functionId(accountId: string, name: string): FunctionId {
  return { accountId, name, key: JSON.stringify([accountId, name]) as FunctionKey };
}

export function partitionOf(fn: FunctionId, version: string, codeRevision: string, tenantId?: string): Partition {
  const key = JSON.stringify([fn.accountId, fn.name, version, codeRevision, tenantId ?? null]) as PartitionKey;
  const flow = [fn.accountId, fn.name, tenantId ?? ''];
  return tenantId === undefined ? { fn, version, codeRevision, key, flow } : { fn, version, codeRevision, tenantId, key, flow };
}
