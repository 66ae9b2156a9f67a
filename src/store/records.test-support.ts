/** @module Test support: a function version record with the defaults CreateFunction gives, for tests that only care about a few fields. */
import type { FunctionVersionRecord } from './ports.ts';

export function versionRecord(fields: Pick<FunctionVersionRecord, 'accountId' | 'functionName'> & Partial<FunctionVersionRecord>): FunctionVersionRecord {
  return {
    version: '$LATEST',
    runtime: 'stratus-isolate',
    handler: 'index.handler',
    role: '',
    description: '',
    memoryMb: 128,
    timeoutSec: 3,
    environment: {},
    codeSha256: 'c',
    codeSize: 1,
    bundleSha256: 'b',
    handlerExport: 'handler',
    revisionId: 'r1',
    lastModified: 'now',
    ...fields,
  };
}
