/** @module Typed calls for the Lambda REST operations (and the native Stratus routes) the CLI uses. */
import { encodeSegment, type StratusClient, type UploadProgress } from './client.ts';

const BASE = '/2015-03-31/functions';
const NATIVE_FUNCTIONS = '/stratus/v1/functions';

/** The fields of a FunctionConfiguration the CLI reads; the rest passes through to `--json` untouched. */
export interface FunctionConfiguration {
  FunctionName: string;
  FunctionArn?: string;
  Runtime?: string;
  Handler?: string;
  CodeSize?: number;
  CodeSha256?: string;
  MemorySize?: number;
  Timeout?: number;
  LastModified?: string;
  Version?: string;
  Description?: string;
  TenancyConfig?: TenancyConfig;
  [field: string]: unknown;
}

/** Fixed when the function is created: PER_TENANT gives every tenant its own environments. */
export interface TenancyConfig {
  TenantIsolationMode: 'PER_TENANT';
}

/** Limits each tenant of a function gets on its own; an absent field means no limit. */
export interface TenancyLimits {
  FunctionName?: string;
  MaxConcurrency?: number;
  MaxRequestsPerSecond?: number;
  [field: string]: unknown;
}

/** One row of the tenants route: node-local statistics since the server started. */
export interface TenantStats {
  TenantId: string;
  Invocations: number;
  Errors: number;
  Throttles: number;
  ColdStarts: number;
  P50Ms: number;
  P90Ms: number;
  P99Ms: number;
  LastSeen: string;
}

export interface AliasConfiguration {
  Name: string;
  AliasArn?: string;
  FunctionVersion: string;
  Description?: string;
  RoutingConfig?: { AdditionalVersionWeights?: Record<string, number> };
  [field: string]: unknown;
}

/** Configuration fields shared by CreateFunction and UpdateFunctionConfiguration. */
export interface FunctionSettings {
  Runtime?: string;
  Handler?: string;
  MemorySize?: number;
  Timeout?: number;
  Description?: string;
  Environment?: { Variables: Record<string, string> };
}

export interface InvokeResult {
  statusCode: number;
  payload: string;
  functionError?: string;
  logResult?: string;
  executedVersion?: string;
}

/** A function's egress policy as the native route shows it: the hosts in force, and where they come from. */
export interface EgressPolicyState {
  FunctionName?: string;
  Version?: string;
  AllowedHosts: string[];
  /** `EgressPolicy` (the field), `tag:stratus:egress`, or `none`. */
  Source?: string;
  EgressPolicy?: { AllowedHosts: string[] };
  Tag?: string;
  [field: string]: unknown;
}

export interface CreatedAccount {
  AccountId: string;
  Name: string;
  AccessKeyId: string;
  SecretAccessKey: string;
  [field: string]: unknown;
}

/**
 * Splits `name:qualifier` so the qualifier can travel as `?Qualifier=`. ARNs and partial ARNs
 * (`123456789012:function:name[:qualifier]`) go through whole: the server parses them itself.
 */
export function splitQualifier(target: string): { name: string; qualifier?: string } {
  if (target.startsWith('arn:') || target.includes(':function:')) return { name: target };
  const at = target.lastIndexOf(':');
  if (at <= 0 || at === target.length - 1) return { name: target };
  return { name: target.slice(0, at), qualifier: target.slice(at + 1) };
}

export class LambdaApi {
  constructor(readonly client: StratusClient) {}

  getFunction(name: string): Promise<{ Configuration: FunctionConfiguration; [field: string]: unknown }> {
    return this.client.requestJson({ method: 'GET', path: `${BASE}/${encodeSegment(name)}` });
  }

  createFunction(
    input: FunctionSettings & { FunctionName: string; ZipFile: string; Role?: string; TenancyConfig?: TenancyConfig },
    onUpload?: UploadProgress,
  ): Promise<FunctionConfiguration> {
    const { ZipFile, ...rest } = input;
    return this.client.requestJson({ method: 'POST', path: BASE, json: { ...rest, Code: { ZipFile } }, onUpload });
  }

  updateFunctionCode(name: string, zipFile: string, onUpload?: UploadProgress): Promise<FunctionConfiguration> {
    return this.client.requestJson({ method: 'PUT', path: `${BASE}/${encodeSegment(name)}/code`, json: { ZipFile: zipFile }, onUpload });
  }

  updateFunctionConfiguration(name: string, settings: FunctionSettings): Promise<FunctionConfiguration> {
    return this.client.requestJson({ method: 'PUT', path: `${BASE}/${encodeSegment(name)}/configuration`, json: settings });
  }

  /** Follows Marker/NextMarker until the server stops returning one. */
  async listFunctions(pageSize = 50): Promise<FunctionConfiguration[]> {
    const all: FunctionConfiguration[] = [];
    let marker: string | undefined;
    do {
      const page = await this.client.requestJson<{ Functions?: FunctionConfiguration[]; NextMarker?: string | null }>({
        method: 'GET',
        path: `${BASE}/`,
        query: { Marker: marker, MaxItems: pageSize },
      });
      all.push(...(page.Functions ?? []));
      marker = page.NextMarker ?? undefined;
    } while (marker);
    return all;
  }

  publishVersion(name: string, description?: string): Promise<FunctionConfiguration> {
    const json = description === undefined ? {} : { Description: description };
    return this.client.requestJson({ method: 'POST', path: `${BASE}/${encodeSegment(name)}/versions`, json });
  }

  createAlias(fn: string, alias: Omit<AliasConfiguration, 'AliasArn'>): Promise<AliasConfiguration> {
    return this.client.requestJson({ method: 'POST', path: `${BASE}/${encodeSegment(fn)}/aliases`, json: alias });
  }

  updateAlias(fn: string, name: string, update: Omit<AliasConfiguration, 'AliasArn' | 'Name'>): Promise<AliasConfiguration> {
    return this.client.requestJson({ method: 'PUT', path: `${BASE}/${encodeSegment(fn)}/aliases/${encodeSegment(name)}`, json: update });
  }

  async listAliases(fn: string, pageSize = 50): Promise<AliasConfiguration[]> {
    const all: AliasConfiguration[] = [];
    let marker: string | undefined;
    do {
      const page = await this.client.requestJson<{ Aliases?: AliasConfiguration[]; NextMarker?: string | null }>({
        method: 'GET',
        path: `${BASE}/${encodeSegment(fn)}/aliases`,
        query: { Marker: marker, MaxItems: pageSize },
      });
      all.push(...(page.Aliases ?? []));
      marker = page.NextMarker ?? undefined;
    } while (marker);
    return all;
  }

  /** Synchronous invoke with the log tail requested; a function error is data here, not an exception. */
  async invoke(target: string, payload: string, tenantId?: string): Promise<InvokeResult> {
    const { name, qualifier } = splitQualifier(target);
    const headers: Record<string, string> = { 'x-amz-invocation-type': 'RequestResponse', 'x-amz-log-type': 'Tail' };
    if (tenantId !== undefined) headers['x-amz-tenant-id'] = tenantId;
    const res = await this.client.request({
      method: 'POST',
      path: `${BASE}/${encodeSegment(name)}/invocations`,
      query: { Qualifier: qualifier },
      raw: payload,
      contentType: 'application/json',
      headers,
    });
    return {
      statusCode: res.status,
      payload: res.text,
      functionError: res.headers.get('x-amz-function-error') ?? undefined,
      logResult: res.headers.get('x-amz-log-result') ?? undefined,
      executedVersion: res.headers.get('x-amz-executed-version') ?? undefined,
    };
  }

  /** Native route: per-tenant statistics of a function on the server answering (most invocations first). */
  tenantStats(fn: string, maxItems?: number): Promise<{ FunctionName: string; Tenants: TenantStats[] }> {
    return this.client.requestJson({ method: 'GET', path: `${NATIVE_FUNCTIONS}/${encodeSegment(fn)}/tenants`, query: { MaxItems: maxItems } });
  }

  getTenancyLimits(fn: string): Promise<TenancyLimits> {
    return this.client.requestJson({ method: 'GET', path: `${NATIVE_FUNCTIONS}/${encodeSegment(fn)}/tenancy-limits` });
  }

  /** Replaces both limits: a field left out removes that limit, `{}` removes both. */
  putTenancyLimits(fn: string, limits: Pick<TenancyLimits, 'MaxConcurrency' | 'MaxRequestsPerSecond'>): Promise<TenancyLimits> {
    return this.client.requestJson({ method: 'PUT', path: `${NATIVE_FUNCTIONS}/${encodeSegment(fn)}/tenancy-limits`, json: limits });
  }

  /** Native route: the egress policy in force for a function (or a version or alias, as `name:qualifier`). */
  getEgressPolicy(target: string): Promise<EgressPolicyState> {
    const { name, qualifier } = splitQualifier(target);
    return this.client.requestJson({ method: 'GET', path: `${NATIVE_FUNCTIONS}/${encodeSegment(name)}/egress-policy`, query: { Qualifier: qualifier } });
  }

  /** Sets the function's EgressPolicy field (on $LATEST; a version published later keeps it). */
  putEgressPolicy(fn: string, allowedHosts: string[]): Promise<EgressPolicyState> {
    return this.client.requestJson({ method: 'PUT', path: `${NATIVE_FUNCTIONS}/${encodeSegment(fn)}/egress-policy`, json: { AllowedHosts: allowedHosts } });
  }

  /** Clears the EgressPolicy field: the tag stratus:egress applies again, if the function has it. */
  deleteEgressPolicy(fn: string): Promise<EgressPolicyState> {
    return this.client.requestJson({ method: 'DELETE', path: `${NATIVE_FUNCTIONS}/${encodeSegment(fn)}/egress-policy` });
  }

  /** Native route (admin keys only): creates an account and its first access key. */
  createAccount(name: string): Promise<CreatedAccount> {
    return this.client.requestJson({ method: 'POST', path: '/stratus/v1/accounts', json: { Name: name } });
  }
}
