/** @module Lambda's response shapes (FunctionConfiguration, AliasConfiguration) built from Stratus records. */
import type { AliasRecord, FunctionVersionRecord } from '../control/index.ts';
import { LATEST, functionArn } from '../control/index.ts';

export function functionConfiguration(rec: FunctionVersionRecord, region: string): Record<string, unknown> {
  return {
    FunctionName: rec.functionName,
    FunctionArn: functionArn(region, rec.accountId, rec.functionName, rec.version === LATEST ? undefined : rec.version),
    Runtime: rec.runtime,
    Role: rec.role,
    Handler: rec.handler,
    CodeSize: rec.codeSize,
    Description: rec.description,
    Timeout: rec.timeoutSec,
    MemorySize: rec.memoryMb,
    LastModified: rec.lastModified,
    CodeSha256: rec.codeSha256,
    Version: rec.version,
    ...(Object.keys(rec.environment).length > 0 ? { Environment: { Variables: rec.environment } } : {}),
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: rec.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: ['x86_64'],
    EphemeralStorage: { Size: 512 },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${rec.functionName}` },
    ...(rec.tenantIsolationMode ? { TenancyConfig: { TenantIsolationMode: rec.tenantIsolationMode } } : {}),
    // Stratus's own field (the SDKs ignore it): the version's EgressPolicy, when set.
    ...(rec.egressPolicy ? { EgressPolicy: { AllowedHosts: rec.egressPolicy.allowedHosts } } : {}),
  };
}

export function aliasConfiguration(rec: AliasRecord, region: string): Record<string, unknown> {
  const weights = rec.additionalVersionWeights;
  return {
    AliasArn: functionArn(region, rec.accountId, rec.functionName, rec.name),
    Name: rec.name,
    FunctionVersion: rec.functionVersion,
    Description: rec.description,
    ...(Object.keys(weights).length > 0 ? { RoutingConfig: { AdditionalVersionWeights: weights } } : {}),
    RevisionId: rec.revisionId,
  };
}
