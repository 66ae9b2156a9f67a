/** @module The synchronous invocation pipeline: resolve the target, lease an environment, run, frame the result. */
import type { CodeStore } from '../store/index.ts';
import type { Resolver } from '../control/index.ts';
import type { Pool } from '../pool/index.ts';
import { partitionKey } from '../pool/index.ts';
import type { EnvironmentSpec, GuestError } from '../pool/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdSource } from '../shared/ids.ts';
import { stratusError } from '../shared/errors.ts';
import { frameLog, logTail } from './log-format.ts';

export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;
const INIT_TIMEOUT_MS = 10_000;

export type InvocationType = 'RequestResponse' | 'DryRun';

export interface InvokeInput {
  accountId: string;
  functionName: string;
  qualifier?: string;
  invocationType: InvocationType;
  payload: Buffer;
  logType: 'None' | 'Tail';
  clientContext?: string;
  tenantId?: string;
}

export interface InvokeOutput {
  statusCode: 200 | 204;
  payload: string;
  executedVersion: string;
  functionError?: 'Unhandled';
  logResult?: string;
  requestId: string;
}

export function createInvokeService(deps: { resolve: Resolver; pool: Pool; code: CodeStore; clock: Clock; ids: IdSource }) {
  const { resolve, pool, code, clock, ids } = deps;

  function parsePayload(raw: Buffer): string {
    if (raw.length === 0) return '{}';
    const text = raw.toString('utf8');
    try {
      JSON.parse(text);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw stratusError('INVOKE_PAYLOAD_INVALID', `Could not parse request body into json: ${detail}. Send a JSON document as the payload.`);
    }
    return text;
  }

  return async function invoke(input: InvokeInput): Promise<InvokeOutput> {
    const requestId = ids.uuid();
    if (input.payload.length > MAX_SYNC_PAYLOAD_BYTES) {
      throw stratusError('INVOKE_PAYLOAD_TOO_LARGE', `Request must be smaller than ${MAX_SYNC_PAYLOAD_BYTES} bytes for the Invoke operation; got ${input.payload.length}.`);
    }
    const { record, invokedArn } = await resolve(input.accountId, input.functionName, input.qualifier);
    const executedVersion = record.version;
    if (input.invocationType === 'DryRun') return { statusCode: 204, payload: '', executedVersion, requestId };
    const payload = parsePayload(input.payload);

    const key = partitionKey({ accountId: record.accountId, functionName: record.functionName, version: record.version, codeRevision: record.revisionId, tenantId: input.tenantId });
    const spec = async (): Promise<EnvironmentSpec> => {
      const bundle = await code.getBundle(record.bundleSha256);
      if (bundle === undefined) throw stratusError('INTERNAL', `Code bundle ${record.bundleSha256} of ${record.functionName} is missing from the store.`);
      return {
        runtime: record.runtime,
        code: bundle,
        handlerExport: record.handlerExport,
        env: record.environment,
        memoryMb: record.memoryMb,
        initTimeoutMs: INIT_TIMEOUT_MS,
        functionName: record.functionName,
        functionVersion: record.version,
      };
    };

    const started = clock.now();
    const acquired = await pool.acquire(key, spec);
    const report = { requestId, version: executedVersion, memoryMb: record.memoryMb };
    const tail = (body: string, durationMs: number, initDurationMs: number, memoryBytes: number) =>
      input.logType === 'Tail'
        ? logTail(frameLog(body, { ...report, durationMs, initDurationMs, maxMemoryUsedMb: Math.ceil(memoryBytes / 1048576) }))
        : undefined;

    if (!acquired.ok) {
      return { statusCode: 200, payload: JSON.stringify(acquired.error), executedVersion, functionError: 'Unhandled', logResult: tail(acquired.logs, clock.now() - started, 0, 0), requestId };
    }
    const { lease } = acquired;
    let result;
    let memoryBytes = 0;
    try {
      result = await lease.env.invoke({
        payload,
        requestId,
        invokedFunctionArn: invokedArn,
        deadline: clock.now() + record.timeoutSec * 1000,
        timeoutSeconds: record.timeoutSec,
        clientContext: input.clientContext,
        tenantId: input.tenantId,
      });
      memoryBytes = lease.env.memoryBytes();
    } finally {
      lease.release(result);
    }
    let out = result.payload;
    let outcome = result.outcome;
    if (Buffer.byteLength(out, 'utf8') > MAX_SYNC_PAYLOAD_BYTES) {
      const error: GuestError = {
        errorType: 'Function.ResponseSizeTooLarge',
        errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_PAYLOAD_BYTES} bytes).`,
        trace: [],
      };
      out = JSON.stringify(error);
      outcome = 'error';
    }
    return {
      statusCode: 200,
      payload: out,
      executedVersion,
      functionError: outcome === 'error' ? 'Unhandled' : undefined,
      logResult: tail(result.logs, result.durationMs, lease.initDurationMs, memoryBytes),
      requestId,
    };
  };
}

export type InvokeService = ReturnType<typeof createInvokeService>;
