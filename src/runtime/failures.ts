/** @module Lambda-shaped errors the host writes itself, when the guest cannot answer: timeouts, memory, crashes, refusals. Shared by the engines. */
import type { FatalReason, GuestError, InvokeRequest } from './engine.ts';

/** Lambda's timeout message: `<ISO time> <requestId> Task timed out after 3.00 seconds`. */
export function timeoutError(req: InvokeRequest, at: Date): GuestError {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `${at.toISOString()} ${req.requestId} Task timed out after ${req.timeoutSeconds.toFixed(2)} seconds`,
    trace: [],
  };
}

export function outOfMemoryError(requestId: string, memoryMb: number): GuestError {
  return {
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited: the function used more than its memory limit of ${memoryMb} MB`,
    trace: [],
  };
}

/** A host-side failure. Internals stay out of the message: it may reach a tenant. */
export function crashError(requestId: string): GuestError {
  return {
    errorType: 'Runtime.ExitError',
    errorMessage: `RequestId: ${requestId} Error: Runtime exited unexpectedly; the environment was discarded`,
    trace: [],
  };
}

export function initTimeoutError(initTimeoutMs: number): GuestError {
  return {
    errorType: 'Sandbox.Timedout',
    errorMessage: `Init phase timed out after ${(initTimeoutMs / 1000).toFixed(2)} seconds`,
    trace: [],
  };
}

export function initOutOfMemoryError(memoryMb: number): GuestError {
  return {
    errorType: 'Runtime.OutOfMemory',
    errorMessage: `Init phase failed: the function used more than its memory limit of ${memoryMb} MB`,
    trace: [],
  };
}

export function initCrashError(): GuestError {
  return { errorType: 'Runtime.ExitError', errorMessage: 'Init phase failed: the runtime exited unexpectedly', trace: [] };
}

/** Lambda's answer to code that does not parse. */
export function syntaxError(message: string): GuestError {
  return { errorType: 'Runtime.UserCodeSyntaxError', errorMessage: `SyntaxError: ${message}`, trace: [`Runtime.UserCodeSyntaxError: SyntaxError: ${message}`] };
}

/** What an environment answers once it is unusable: the pool should have discarded it. */
export function unusableError(requestId: string, reason: FatalReason | 'disposed'): GuestError {
  const why = reason === 'disposed' ? 'was disposed' : `was discarded after a previous failure (${reason})`;
  return { errorType: 'Runtime.EnvironmentUnusable', errorMessage: `RequestId: ${requestId} Error: this environment ${why}; invoke a fresh one`, trace: [] };
}

export function busyError(requestId: string): GuestError {
  return { errorType: 'Runtime.EnvironmentBusy', errorMessage: `RequestId: ${requestId} Error: this environment is already running an invocation`, trace: [] };
}
