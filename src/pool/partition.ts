/** @module The partition key: which (account, function version, tenant) an environment belongs to for its whole life. */

declare const partitionBrand: unique symbol;

/**
 * An opaque, branded key. Only `partitionKey()` makes one, so a pool can never be indexed by an
 * account id, a function name or a tenant id alone. The tenant joins the key in multi-tenant mode.
 */
export type PartitionKey = string & { readonly [partitionBrand]: true };

export interface PartitionParts {
  accountId: string;
  functionName: string;
  /** A concrete version: `$LATEST` or `1`, `2`, ... (never an alias). */
  version: string;
  /** The code revision of the version (`$LATEST` changes code in place; its key must change with it). */
  codeRevision: string;
  tenantId?: string;
}

/** JSON encoding keeps the parts unambiguous whatever characters they hold. */
export function partitionKey(parts: PartitionParts): PartitionKey {
  return JSON.stringify([parts.accountId, parts.functionName, parts.version, parts.codeRevision, parts.tenantId ?? null]) as PartitionKey;
}

export function partitionParts(key: PartitionKey): PartitionParts {
  const [accountId, functionName, version, codeRevision, tenantId] = JSON.parse(key) as [string, string, string, string, string | null];
  return tenantId === null ? { accountId, functionName, version, codeRevision } : { accountId, functionName, version, codeRevision, tenantId };
}
