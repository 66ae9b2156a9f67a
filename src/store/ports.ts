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
  /**
   * The hosts the version's outbound requests may reach, as canonical entries (Stratus's EgressPolicy
   * field; absent: not set, and the function's tag stratus:egress applies). Copied into published versions.
   */
  egressPolicy?: { allowedHosts: string[] };
  /**
   * The function's tags, on $LATEST only: tags belong to the whole function, as in Lambda, so a
   * published version never carries them, and writing them changes $LATEST's revision.
   */
  tags?: Record<string, string>;
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

/** A function's tenancy limits as stored: written only conditionally on `revisionId` (invariant 6). */
export interface TenancyLimitsRecord {
  accountId: string;
  functionName: string;
  limits: TenancyLimits;
  revisionId: string;
}

export interface Page<T> {
  items: T[];
  nextMarker?: string;
}

/** Names one function of one account. */
export interface FunctionKey {
  accountId: string;
  functionName: string;
}

export interface VersionKey extends FunctionKey {
  /** `$LATEST` or a published version number. */
  version: string;
}

export interface AliasKey extends FunctionKey {
  /** The alias's own name. */
  name: string;
}

/** One page of a listing: from after `marker` (a previous page's nextMarker), at most `limit` items. */
export interface PageRequest {
  marker?: string;
  limit: number;
}

/** A replace that happens only while the stored record's revision is still `expectedRevisionId`. */
export interface ConditionalWrite<T> {
  next: T;
  expectedRevisionId: string;
}

export interface PublishRequest extends FunctionKey {
  /** The revision of $LATEST the caller read; the publish fails if $LATEST moved on since. */
  expectedRevisionId: string;
  /** The new version's description (empty: $LATEST's). */
  description: string;
  /** The new version's revision and timestamp. */
  revisionId: string;
  lastModified: string;
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

/** Functions and their versions: $LATEST (mutable, revision-conditional) and published copies of it. */
export interface VersionStore {
  /** Creates the function with its $LATEST record; false when the name is taken in the account. */
  createFunction(latest: FunctionVersionRecord): Promise<boolean>;
  getVersion(key: VersionKey): Promise<FunctionVersionRecord | undefined>;
  /** Replaces $LATEST if its revision is still the expected one; false otherwise. */
  updateLatest(write: ConditionalWrite<FunctionVersionRecord>): Promise<boolean>;
  /** Copies $LATEST (at the expected revision) to the next version number; undefined when $LATEST moved on. */
  publishVersion(request: PublishRequest): Promise<FunctionVersionRecord | undefined>;
  /** The highest published version, for PublishVersion's "nothing changed" rule. */
  latestPublished(fn: FunctionKey): Promise<FunctionVersionRecord | undefined>;
  /** $LATEST of every function of the account, by name. */
  listLatest(request: { accountId: string } & PageRequest): Promise<Page<FunctionVersionRecord>>;
  /** $LATEST first, then published versions in order. */
  listVersions(request: FunctionKey & PageRequest): Promise<Page<FunctionVersionRecord>>;
  /** Deletes the whole function (all versions, aliases and tenancy limits). */
  deleteFunction(fn: FunctionKey): Promise<boolean>;
  deleteVersion(key: VersionKey): Promise<boolean>;
  /** Whether any version of the function ($LATEST or published) has this CodeSha256 now; never cached (code links check it). */
  referencesCode(request: FunctionKey & { codeSha256: string }): Promise<boolean>;
}

/** Aliases: named, revision-conditional pointers to one version, optionally weighted to a second. */
export interface AliasStore {
  /** False when the alias exists already. */
  createAlias(alias: AliasRecord): Promise<boolean>;
  getAlias(key: AliasKey): Promise<AliasRecord | undefined>;
  updateAlias(write: ConditionalWrite<AliasRecord>): Promise<boolean>;
  deleteAlias(key: AliasKey): Promise<boolean>;
  listAliases(request: FunctionKey & PageRequest): Promise<Page<AliasRecord>>;
  /** Names of the function's aliases that route to this version, primary or weighted (such a version cannot be deleted). */
  aliasesUsingVersion(key: VersionKey): Promise<string[]>;
}

/** Per-tenant limits of a function. */
export interface TenancyLimitStore {
  /** Undefined when the function's limits were never set. */
  getTenancyLimits(fn: FunctionKey): Promise<TenancyLimitsRecord | undefined>;
  /**
   * Writes the limits while the stored revision is `expectedRevisionId` (undefined: while none are
   * stored); false when another write came first. `{}` limits mean no limit, and keep a revision.
   */
  putTenancyLimits(write: { next: TenancyLimitsRecord; expectedRevisionId: string | undefined }): Promise<boolean>;
}

/** Everything about functions, split by aggregate; one store object implements the three. */
export interface FunctionStore extends VersionStore, AliasStore, TenancyLimitStore {}

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
