/** @module Lease-and-run stage: an environment of the invocation's partition from the pool (created if none is idle), one invocation in it, an Outcome out. */
import { splitBundle, type TraceMapper } from '../../artifacts/index.ts';
import type { CodeStore } from '../../store/index.ts';
import type { EnvironmentSpec, GuestError, Pool } from '../../pool/index.ts';
import type { Clock } from '../../shared/clock.ts';
import { isStratusError, stratusError } from '../../shared/errors.ts';
import { required, type Outcome, type Stage } from '../invocation.ts';
import { explainMissingGlobal } from '../missing-global.ts';
import { noObserver, type InvocationObserver } from '../observer.ts';
import type { Quarantine } from '../quarantine.ts';

/** Lambda's bound on a synchronous invocation's response. */
export const MAX_SYNC_RESULT_BYTES = 6 * 1024 * 1024;
const INIT_TIMEOUT_MS = 10_000;

export interface RunStageDeps {
  pool: Pool;
  /** Maps errors' and logs' bundle positions back to the user's files (absent: left as they are). */
  traces?: TraceMapper;
  /** The node's region, told to environments (AWS_REGION). */
  region: string;
  code: CodeStore;
  clock: Clock;
  observer?: InvocationObserver;
  /** Told when a function's code lost an engine thread (see quarantine.ts). */
  quarantine?: Quarantine;
}

export function runStage(deps: RunStageDeps): Stage {
  const { pool, code, clock } = deps;
  const observer = deps.observer ?? noObserver;

  return async (ctx): Promise<Outcome> => {
    const { record, invokedArn } = required(ctx.target, 'the target');
    const partition = required(ctx.partition, 'the partition');
    const payload = required(ctx.payload, 'the payload');
    const version = record.version;
    const spec = async (): Promise<EnvironmentSpec> => {
      const bundle = await code.getBundle(record.bundleSha256);
      if (bundle === undefined) throw stratusError('INTERNAL.bundleMissing', { sha256: record.bundleSha256, name: record.functionName });
      return {
        runtime: record.runtime,
        code: splitBundle(bundle).code,
        handlerExport: record.handlerExport,
        handler: record.handler,
        region: deps.region,
        env: record.environment,
        memoryMb: record.memoryMb,
        initTimeoutMs: INIT_TIMEOUT_MS,
        partition,
        isolation: 'environment',
        ...(ctx.target?.egress ? { egress: ctx.target.egress } : {}),
      };
    };

    // Only errors and logs that point into the bundle need its map: read then, from the store.
    const mapText = async () => splitBundle((await code.getBundle(record.bundleSha256)) ?? '').map;
    const mapError = async (raw: GuestError): Promise<GuestError> => {
      const error = explainMissingGlobal(raw);
      const traces = deps.traces;
      if (traces === undefined || (error.trace.length === 0 && !error.errorMessage.includes('/var/task/index.js:'))) return error;
      const map = await mapText();
      return { ...error, errorMessage: traces.text(record.bundleSha256, map, error.errorMessage), trace: traces.trace(record.bundleSha256, map, error.trace) };
    };
    const mapLogs = async (logs: string): Promise<string> => {
      const traces = deps.traces;
      if (traces === undefined || !logs.includes('/var/task/index.js:')) return logs;
      return traces.text(record.bundleSha256, await mapText(), logs);
    };

    const started = clock.now();
    const who = { accountId: record.accountId, functionName: record.functionName, tenantId: ctx.tenantId };
    let acquired;
    try {
      acquired = await pool.acquire(partition, spec);
    } catch (err) {
      if (isStratusError(err) && err.code === 'INVOKE_CAPACITY_EXHAUSTED') observer.throttled({ ...who, reason: 'capacity' });
      throw err;
    }
    if (!acquired.ok) {
      if (acquired.lost) deps.quarantine?.lost(record.accountId, record.functionName);
      const durationMs = clock.now() - started;
      observer.invoked({ ...who, outcome: 'error', durationMs, cold: true });
      return {
        kind: 'failed',
        cause: 'function',
        error: await mapError(acquired.error),
        version,
        logs: await mapLogs(acquired.logs),
        timings: { durationMs, initDurationMs: 0, cold: true, memoryUsedBytes: 0 },
      };
    }
    const { lease } = acquired;
    let result;
    let memoryUsedBytes = 0;
    try {
      result = await lease.env.invoke({
        payload,
        requestId: ctx.id,
        invokedFunctionArn: invokedArn,
        timeoutMs: record.timeoutSec * 1000,
        timeoutSeconds: record.timeoutSec,
        clientContext: ctx.clientContext,
        tenantId: ctx.tenantId,
      });
      memoryUsedBytes = lease.env.memory().used;
      if (result.lost) deps.quarantine?.lost(record.accountId, record.functionName);
    } finally {
      // The port says invoke never rejects; if an engine breaks that, its environment is not reused.
      lease.release(result ?? { fatal: 'crash' });
    }
    if (result.fatal === 'worker') {
      // Not the function's answer: the process running it ended. Retryable; who is blamed is decided where the exit is seen (main.ts).
      throw stratusError('ENGINE_WORKER_EXITED.invoking', { name: record.functionName });
    }
    const timings = { durationMs: result.durationMs, initDurationMs: lease.initDurationMs, cold: lease.cold, memoryUsedBytes };
    // Measured once: a result near the bound costs a full UTF-8 length count.
    const oversized = result.outcome === 'ok' && tooLarge(result.payload);
    observer.invoked({ ...who, outcome: result.outcome === 'ok' && !oversized ? 'success' : 'error', durationMs: result.durationMs, cold: lease.cold });
    const logs = await mapLogs(result.logs);
    if (result.outcome === 'error') return { kind: 'failed', cause: 'function', error: await mapError(JSON.parse(result.payload) as GuestError), version, logs, timings };
    if (oversized) return { kind: 'failed', cause: 'function', error: responseTooLarge(), version, logs, timings };
    return { kind: 'succeeded', result: result.payload, version, logs, timings };
  };
}

function tooLarge(payload: string): boolean {
  // Cheap first: UTF-8 takes at most 3 bytes per UTF-16 unit, so a short string cannot exceed the bound.
  return payload.length * 3 > MAX_SYNC_RESULT_BYTES && Buffer.byteLength(payload, 'utf8') > MAX_SYNC_RESULT_BYTES;
}

function responseTooLarge(): GuestError {
  return {
    errorType: 'Function.ResponseSizeTooLarge',
    errorMessage: `Response payload size exceeded maximum allowed payload size (${MAX_SYNC_RESULT_BYTES} bytes).`,
    trace: [],
  };
}
