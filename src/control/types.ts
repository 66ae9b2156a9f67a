/** @module The control plane's inputs and the ports it needs from outside (code building, change notices). */
import type { TenancyLimits } from '../store/index.ts';

/** What building a zip yields (artifacts' BuiltPackage satisfies it). */
export interface BuiltCode {
  codeSha256: string;
  codeSize: number;
  bundle: string;
  bundleSha256: string;
  handlerExport: string;
}

/** Who a build is for, and when to stop it. */
export interface BuildContext {
  accountId: string;
  /** Aborted when the uploading client goes away: the build stops. */
  signal?: AbortSignal;
}

/** Turns an uploaded zip into runnable code, refusing packages that cannot run (a user error names why). */
export interface PackageBuilder {
  build(zip: Uint8Array, handler: string, runtime: string, ctx: BuildContext): Promise<BuiltCode>;
}

/** The configuration a function is created with and that UpdateFunctionConfiguration changes (absent: unchanged or default). */
export interface FunctionSettings {
  runtime?: string;
  handler?: string;
  role?: string;
  description?: string;
  memoryMb?: number;
  timeoutSec?: number;
  environment?: Record<string, string>;
}

export interface CreateFunctionInput extends FunctionSettings {
  name: string;
  zip: Uint8Array;
  publish?: boolean;
  tenantIsolationMode?: 'PER_TENANT';
  /** The function's tags (Lambda's limits; stratus:egress is checked as an egress policy). */
  tags?: Record<string, string>;
  /** Stops the code build when aborted (the client went away). */
  signal?: AbortSignal;
}

export interface ConfigurationPatch extends FunctionSettings {
  revisionId?: string;
  /** Stops a rebuild (a new handler or runtime) when aborted. */
  signal?: AbortSignal;
}

export interface CodePatch {
  zip: Uint8Array;
  publish?: boolean;
  dryRun?: boolean;
  revisionId?: string;
  /** Stops the code build when aborted (the client went away). */
  signal?: AbortSignal;
}

export interface AliasInput {
  name: string;
  functionVersion: string;
  description?: string;
  additionalVersionWeights?: Record<string, number>;
}

export interface AliasPatch {
  functionVersion?: string;
  description?: string;
  additionalVersionWeights?: Record<string, number>;
  revisionId?: string;
}

/** A function's tenancy limits and the revision a conditional write names (none until they are first set). */
export interface TenancyLimitsState {
  limits: TenancyLimits;
  revisionId?: string;
}

/** Told when a function's code or configuration changes or it is deleted, so warm environments can go. */
export type ChangeListener = (accountId: string, functionName: string) => void;

export const DEFAULTS = {
  runtime: 'stratus-isolate',
  handler: 'index.handler',
  memoryMb: 128,
  timeoutSec: 3,
} as const;
