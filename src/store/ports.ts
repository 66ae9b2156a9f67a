/** @module Persistence ports: the records Stratus keeps and the interfaces every store adapter implements. */

export interface AccountRecord {
  /** 12-digit account id, as in AWS ARNs. */
  id: string;
  name: string;
  isAdmin: boolean;
  createdAt: string;
}

export interface AccessKeyRecord {
  accessKeyId: string;
  /** SigV4 verification recomputes the HMAC, so the secret itself must be kept. */
  secretAccessKey: string;
  accountId: string;
  createdAt: string;
}

/** One version of a function ($LATEST or a published number): its code and its configuration. */
export interface FunctionVersionRecord {
  accountId: string;
  functionName: string;
  /** `$LATEST` or `1`, `2`, ... */
  version: string;
  runtime: string;
  handler: string;
  role: string;
  description: string;
  memoryMb: number;
  timeoutSec: number;
  environment: Record<string, string>;
  codeSha256: string;
  codeSize: number;
  bundleSha256: string;
  handlerExport: string;
  /** PER_TENANT: every invocation names a tenant and runs only in that tenant's environments. Fixed at creation. */
  tenantIsolationMode?: 'PER_TENANT';
  /** Changes on every write to this record; the condition of optimistic concurrency. */
  revisionId: string;
  lastModified: string;
}

export interface AliasRecord {
  accountId: string;
  functionName: string;
  name: string;
  functionVersion: string;
  description: string;
  /** Share (0..1) of invocations routed to a second version, by version. */
  additionalVersionWeights: Record<string, number>;
  revisionId: string;
}

/** Limits every tenant of a function gets on its own (absent: no limit). */
export interface TenancyLimits {
  maxConcurrency?: number;
  maxRequestsPerSecond?: number;
}

export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

export interface AccountStore {
  createAccount(account: AccountRecord, key: AccessKeyRecord): Promise<void>;
  getAccount(id: string): Promise<AccountRecord | undefined>;
  getAccountByName(name: string): Promise<AccountRecord | undefined>;
  listAccounts(): Promise<AccountRecord[]>;
  getAccessKey(accessKeyId: string): Promise<AccessKeyRecord | undefined>;
  addAccessKey(key: AccessKeyRecord): Promise<void>;
  listAccessKeys(accountId: string): Promise<AccessKeyRecord[]>;
}

export interface FunctionStore {
  /** Creates the function with its $LATEST record; false when the name is taken in the account. */
  createFunction(latest: FunctionVersionRecord): Promise<boolean>;
  getVersion(accountId: string, functionName: string, version: string): Promise<FunctionVersionRecord | undefined>;
  /** Replaces $LATEST if its revision is still `expectedRevisionId`; false otherwise. */
  updateLatest(next: FunctionVersionRecord, expectedRevisionId: string): Promise<boolean>;
  /** Copies $LATEST (at `expectedRevisionId`) to the next version number; undefined when $LATEST moved on. */
  publishVersion(accountId: string, functionName: string, expectedRevisionId: string, description: string, revisionId: string, now: string): Promise<FunctionVersionRecord | undefined>;
  /** The highest published version, for PublishVersion's "nothing changed" rule. */
  latestPublished(accountId: string, functionName: string): Promise<FunctionVersionRecord | undefined>;
  listLatest(accountId: string, marker: string | undefined, limit: number): Promise<Page<FunctionVersionRecord>>;
  listVersions(accountId: string, functionName: string, marker: string | undefined, limit: number): Promise<Page<FunctionVersionRecord>>;
  /** Deletes the whole function (all versions and aliases). */
  deleteFunction(accountId: string, functionName: string): Promise<boolean>;
  deleteVersion(accountId: string, functionName: string, version: string): Promise<boolean>;
  createAlias(alias: AliasRecord): Promise<boolean>;
  getAlias(accountId: string, functionName: string, name: string): Promise<AliasRecord | undefined>;
  updateAlias(next: AliasRecord, expectedRevisionId: string): Promise<boolean>;
  deleteAlias(accountId: string, functionName: string, name: string): Promise<boolean>;
  listAliases(accountId: string, functionName: string, marker: string | undefined, limit: number): Promise<Page<AliasRecord>>;
  getTenancyLimits(accountId: string, functionName: string): Promise<TenancyLimits>;
  /** Replaces the limits; `{}` clears them. */
  setTenancyLimits(accountId: string, functionName: string, limits: TenancyLimits): Promise<void>;
  /** Aliases of the function that point at this version (a version in use by an alias cannot be deleted). */
  aliasesUsingVersion(accountId: string, functionName: string, version: string): Promise<string[]>;
  /** Whether any version of the function ($LATEST or published) has this CodeSha256 now; never cached (code links check it). */
  referencesCode(accountId: string, functionName: string, codeSha256: string): Promise<boolean>;
}

/**
 * Code, content-addressed: deployment zips by CodeSha256, built bundles by their hex SHA-256. Each
 * put records when the code was stored (a put of code already there records it again). Adapters keep
 * code in the same database as the function store, so that collection sees the versions at once.
 */
export interface CodeStore {
  putZip(codeSha256: string, zip: Uint8Array): Promise<void>;
  getZip(codeSha256: string): Promise<Uint8Array | undefined>;
  putBundle(bundleSha256: string, bundle: string): Promise<void>;
  getBundle(bundleSha256: string): Promise<string | undefined>;
  /**
   * Deletes every zip and bundle that no function version of any account references and that was
   * last stored before `storedBefore` (ms since the epoch), as one consistent step; says how many went.
   */
  collectGarbage(storedBefore: number): Promise<{ zips: number; bundles: number }>;
}

export interface Stores {
  accounts: AccountStore;
  functions: FunctionStore;
  code: CodeStore;
  close(): Promise<void>;
}
