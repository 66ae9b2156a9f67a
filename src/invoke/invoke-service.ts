/** @module The synchronous invocation pipeline: resolve the target, lease an environment, run, frame the result. */
import type { CodeStore } from '../store/index.ts';
import type { InvocationTarget, Resolver } from '../control/index.ts';
import type { Pool } from '../pool/index.ts';
import { partitionKey } from '../pool/index.ts';
import type { EnvironmentSpec, GuestError } from '../pool/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdSource } from '../shared/ids.ts';
import { stratusError } from '../shared/errors.ts';
import { frameLog, logTail } from './log-format.ts';
import { checkTenancy, validateTenantId } from './tenant-id.ts';
import type { FairScheduler, FlowPath } from './fair-scheduler.ts';
import type { TenantLimiter } from './tenant-limiter.ts';
import { noObserver, type InvocationObserver } from './observer.ts';
import type { Quarantine } from './quarantine.ts';
import { isStratusError } from '../shared/errors.ts';

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

export interface InvokeServiceDeps {
  resolve: Resolver;
  pool: Pool;
  code: CodeStore;
  clock: Clock;
  ids: IdSource;
  limiter: TenantLimiter;
  scheduler: FairScheduler;
  observer?: InvocationObserver;
  /** Functions and accounts whose code lost an engine thread are refused (see quarantine.ts). */
  quarantine?: Quarantine;
}

const noRelease = () => {};

export function createInvokeService(deps: InvokeServiceDeps) {
  const { resolve, pool, code, clock, ids, limiter, scheduler } = deps;
  const observer = deps.observer ?? noObserver;

  function parsePayload(raw: Buffer): string {
    if (raw.length === 0) return '{}';
    const text = raw.toString('utf8');
    try {
      JSON.parse(text);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw stratusError('INVOKE_PAYLOAD_INVALID', { detail });
    }
    return text;
  }

  return async function invoke(input: InvokeInput): Promise<InvokeOutput> {
    const requestId = ids.uuid();
    if (input.payload.length > MAX_SYNC_PAYLOAD_BYTES) {
      throw stratusError('INVOKE_PAYLOAD_TOO_LARGE', { limit: MAX_SYNC_PAYLOAD_BYTES, bytes: input.payload.length });
    }
    if (input.tenantId !== undefined) validateTenantId(input.tenantId);
    const { record, invokedArn } = await resolve(input.accountId, input.functionName, input.qualifier);
    checkTenancy(record.functionName, record.tenantIsolationMode, input.tenantId);
    deps.quarantine?.check(record.accountId, record.functionName);
    const executedVersion = record.version;
    if (input.invocationType === 'DryRun') return { statusCode: 204, payload: '', executedVersion, requestId };
    const payload = parsePayload(input.payload);
    // Tenant limits are checked before an environment is spent on the call.
    const release = input.tenantId === undefined ? noRelease : await limiter.admit(record.accountId, record.functionName, input.tenantId);
    try {
      return await execute(input, record, invokedArn, payload, requestId);
    } finally {
      release();
    }
  };

  async function execute(input: InvokeInput, record: InvocationTarget['record'], invokedArn: string, payload: string, requestId: string): Promise<InvokeOutput> {
    const executedVersion = record.version;

    // Guest steps are scheduled account first, then function, then tenant.
    const flow: FlowPath = [record.accountId, record.functionName, input.tenantId ?? ''];
    const key = partitionKey({ accountId: record.accountId, functionName: record.functionName, version: record.version, codeRevision: record.revisionId, tenantId: input.tenantId });
    const spec = async (): Promise<EnvironmentSpec> => {
      const bundle = await code.getBundle(record.bundleSha256);
      if (bundle === undefined) throw stratusError('INTERNAL.bundleMissing', { sha256: record.bundleSha256, name: record.functionName });
      return {
        runtime: record.runtime,
        code: bundle,
        handlerExport: record.handlerExport,
        env: record.environment,
        memoryMb: record.memoryMb,
        initTimeoutMs: INIT_TIMEOUT_MS,
        functionName: record.functionName,
        functionVersion: record.version,
        schedule: (step) => scheduler.run(flow, step),
      };
    };

    const started = clock.now();
    const who = { accountId: record.accountId, functionName: record.functionName, tenantId: input.tenantId };
    let acquired;
    try {
      acquired = await pool.acquire(key, spec);
    } catch (err) {
      if (isStratusError(err) && err.code === 'INVOKE_CAPACITY_EXHAUSTED') observer.throttled({ ...who, reason: 'capacity' });
      throw err;
    }
    const report = { requestId, version: executedVersion, memoryMb: record.memoryMb };
    const tail = (body: string, durationMs: number, initDurationMs: number, memoryBytes: number) =>
      input.logType === 'Tail'
        ? logTail(frameLog(body, { ...report, durationMs, initDurationMs, maxMemoryUsedMb: Math.ceil(memoryBytes / 1048576) }))
        : undefined;

    if (!acquired.ok) {
      if (acquired.lost) deps.quarantine?.lost(record.accountId, record.functionName);
      observer.invoked({ ...who, outcome: 'error', durationMs: clock.now() - started, cold: true });
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
        timeoutMs: record.timeoutSec * 1000,
        timeoutSeconds: record.timeoutSec,
        clientContext: input.clientContext,
        tenantId: input.tenantId,
        schedule: (step) => scheduler.run(flow, step),
      });
      memoryBytes = lease.env.memoryBytes();
      if (result.lost) deps.quarantine?.lost(record.accountId, record.functionName);
    } finally {
      // The port says invoke never rejects; if an engine breaks that, its environment is not reused.
      lease.release(result ?? { fatal: 'crash' });
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
    observer.invoked({ ...who, outcome: outcome === 'ok' ? 'success' : 'error', durationMs: result.durationMs, cold: lease.cold });
    return {
      statusCode: 200,
      payload: out,
      executedVersion,
      functionError: outcome === 'error' ? 'Unhandled' : undefined,
      logResult: tail(result.logs, result.durationMs, lease.initDurationMs, memoryBytes),
      requestId,
    };
  }
}

export type InvokeService = ReturnType<typeof createInvokeService>;
