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

/** Longest text of a guest's own value the host repeats (the value was copied out of the sandbox). */
const MAX_REASON_CHARS = 64 * 1024;
const MAX_TRACE_LINES = 50;

/**
 * Lambda's answer to a promise the handler rejected and never handled (its runtime exits, so the
 * environment is discarded too): the reason as `Name: message`, with its stack. The reason is the
 * guest's own value, so it is bounded.
 */
export function unhandledRejectionError(reason: unknown): GuestError {
  const isError = typeof reason === 'object' && reason !== null && typeof (reason as Error).message === 'string';
  // Cut before joining: the reason may be hundreds of megabytes, and a joined string is flattened
  // (copied) by the first slice or search over it.
  const cut = (text: string) => (text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS)}... (${text.length - MAX_REASON_CHARS} more characters)` : text);
  const message = isError ? `${cut(String((reason as Error).name ?? 'Error'))}: ${cut((reason as Error).message)}` : cut(String(reason));
  return { errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: message, trace: [`Runtime.UnhandledPromiseRejection: ${message}`, ...guestFrames(reason)] };
}

/** The stack frames of a value copied out of the sandbox, up to where the host's own frames begin (those are internals). */
function guestFrames(reason: unknown): string[] {
  const stack = typeof reason === 'object' && reason !== null ? (reason as Error).stack : undefined;
  if (typeof stack !== 'string') return [];
  const frames: string[] = [];
  // Only the head of the stack is read: it starts with the (possibly huge) message.
  const head = stack.length > MAX_REASON_CHARS + 64 * 1024 ? stack.slice(0, MAX_REASON_CHARS + 64 * 1024) : stack;
  for (const line of head.split('\n').slice(1, MAX_TRACE_LINES + 1)) {
    if (line.includes('<isolated-vm boundary>')) break;
    frames.push(line.slice(0, 1024));
  }
  return frames;
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
