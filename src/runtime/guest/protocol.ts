/** @module Host side of the guest protocol: what the host sends to the guest runtime and how it reads the runtime's reports, trusting none of them. */
import type { EnvironmentSpec, GuestError, InvokeRequest } from '../engine.ts';

/** What the guest's `init`/`run`/`pump` answer, once parsed and checked. */
export type GuestReport = { state: 'done'; outcome: 'ok' | 'error'; payload: string; logs: string } | { state: 'pending'; nextTimerAt: number; logs: string };

/** The guest answered something that is not a report: its runtime is broken or was tampered with. */
export class GuestProtocolError extends Error {
  override readonly name = 'GuestProtocolError';
}

/** Init facts sent to the guest as JSON (the `init` call's second argument). */
export interface GuestInitSpec {
  handlerExport: string;
  env: Record<string, string>;
  functionName: string;
  functionVersion: string;
  memoryMb: number;
  logGroupName: string;
  logStreamName: string;
  maxLogBytes: number;
  /** Results (and error payloads) longer than this in UTF-8 are replaced by Function.ResponseSizeTooLarge inside the guest. */
  maxResultBytes: number;
  /** `process.version` in the guest: the Node.js whose V8 runs the environment. */
  nodeVersion: string;
  v8Version: string;
}

/** Per-invocation facts sent to the guest as JSON (the `run` call's second argument). */
export interface GuestInvokeMeta {
  requestId: string;
  invokedFunctionArn: string;
  deadline: number;
  clientContext?: string;
  tenantId?: string;
  /** Heap bytes measured after the previous invocation, for `process.memoryUsage()`. */
  memoryUsed?: number;
}

/** Variables Lambda's Node.js runtimes set that a function may override (Lambda's values). */
const LAMBDA_DEFAULT_ENV: Readonly<Record<string, string>> = {
  LANG: 'en_US.UTF-8',
  PATH: '/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin',
  LD_LIBRARY_PATH: '/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:/opt/lib',
  NODE_PATH: '/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task',
  TZ: ':UTC',
};

/** The init spec: Lambda's default variables, the configured ones over them, and the ones Lambda always sets (which win over configured ones). */
export function guestInitSpec(spec: EnvironmentSpec, environmentId: string, limits: { maxLogBytes: number; maxResultBytes: number }, now: Date): string {
  const functionName = spec.partition.fn.name;
  const functionVersion = spec.partition.version;
  const logGroupName = `/aws/lambda/${functionName}`;
  const day = now.toISOString().slice(0, 10).replace(/-/g, '/');
  const logStreamName = `${day}/[${functionVersion}]${environmentId}`;
  const nodeMajor = process.versions.node.split('.')[0];
  const init: GuestInitSpec = {
    handlerExport: spec.handlerExport,
    env: {
      ...LAMBDA_DEFAULT_ENV,
      ...spec.env,
      _HANDLER: spec.handler,
      AWS_REGION: spec.region,
      AWS_DEFAULT_REGION: spec.region,
      AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${nodeMajor}.x`,
      AWS_LAMBDA_FUNCTION_NAME: functionName,
      AWS_LAMBDA_FUNCTION_VERSION: functionVersion,
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(spec.memoryMb),
      AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
      AWS_LAMBDA_LOG_GROUP_NAME: logGroupName,
      AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
      LAMBDA_TASK_ROOT: '/var/task',
      LAMBDA_RUNTIME_DIR: '/var/runtime',
    },
    functionName: functionName,
    functionVersion: functionVersion,
    memoryMb: spec.memoryMb,
    logGroupName,
    logStreamName,
    maxLogBytes: limits.maxLogBytes,
    maxResultBytes: limits.maxResultBytes,
    nodeVersion: process.version,
    v8Version: process.versions.v8,
  };
  return JSON.stringify(init);
}

export function guestInvokeMeta(req: InvokeRequest, deadline: number, memoryUsed?: number): string {
  const meta: GuestInvokeMeta = {
    requestId: req.requestId,
    invokedFunctionArn: req.invokedFunctionArn,
    deadline,
  };
  if (memoryUsed !== undefined) meta.memoryUsed = memoryUsed;
  if (req.clientContext !== undefined) meta.clientContext = req.clientContext;
  if (req.tenantId !== undefined) meta.tenantId = req.tenantId;
  return JSON.stringify(meta);
}

/**
 * Checks one report (a copy the host received: a plain object of strings and numbers). Anything
 * malformed or oversized is a GuestProtocolError: the caller treats it as a crash.
 */
export function parseGuestReport(raw: unknown, maxChars = Infinity): GuestReport {
  if (typeof raw !== 'object' || raw === null) throw new GuestProtocolError(`the guest runtime answered a ${raw === null ? 'null' : typeof raw}, not a report`);
  const r = raw as Record<string, unknown>;
  const logs = typeof r.logs === 'string' ? r.logs : '';
  const payloadChars = typeof r.payload === 'string' ? r.payload.length : 0;
  if (payloadChars + logs.length > maxChars) {
    throw new GuestProtocolError(`the guest runtime answered a report of ${payloadChars + logs.length} characters, more than the ${maxChars} it may`);
  }
  if (r.state === 'done' && (r.outcome === 'ok' || r.outcome === 'error') && typeof r.payload === 'string' && r.payload.length > 0) {
    return { state: 'done', outcome: r.outcome, payload: r.payload, logs };
  }
  if (r.state === 'pending' && typeof r.nextTimerAt === 'number' && Number.isFinite(r.nextTimerAt) && r.nextTimerAt >= 0) {
    return { state: 'pending', nextTimerAt: r.nextTimerAt, logs };
  }
  throw new GuestProtocolError('the guest runtime answered a report of unknown shape');
}

/** Reads a GuestError payload back (init failures are returned as objects, not text). */
export function parseGuestError(payload: string): GuestError {
  try {
    const v = JSON.parse(payload) as Record<string, unknown>;
    if (typeof v.errorType === 'string' && typeof v.errorMessage === 'string') {
      const trace = Array.isArray(v.trace) ? v.trace.filter((line): line is string => typeof line === 'string') : [];
      return { errorType: v.errorType, errorMessage: v.errorMessage, trace };
    }
  } catch {
    // Falls through to the generic error below.
  }
  return { errorType: 'Runtime.Unknown', errorMessage: 'the function failed with an error that could not be read', trace: [] };
}
