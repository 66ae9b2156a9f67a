/** @module The one place that calls into an isolate: References the host holds to the guest runtime's functions, called with string copies, and the reading of what isolated-vm throws back. */
import ivm from 'isolated-vm';
import { GUEST_API, type GuestApiName } from '../guest/guest-source.ts';

/** Host-held handles to the guest runtime's protocol functions. They never travel into the guest. */
export type GuestHandles = Record<GuestApiName, ivm.Reference<unknown>>;

/** Why a call into an isolate failed, in the Engine port's words. */
export type IsolateFailure = 'timeout' | 'memory' | 'crash';

/** The deadline had passed before a call could start. */
export class DeadlinePassed extends Error {
  override readonly name = 'DeadlinePassed';
}

/** Resolves the runtime's exported functions once, at create time, so invokes pay no lookups. */
export async function loadGuestHandles(api: ivm.Reference<Record<GuestApiName, unknown>>): Promise<GuestHandles> {
  const refs = await Promise.all(GUEST_API.map((name) => api.get(name, { reference: true }) as Promise<ivm.Reference<unknown>>));
  const handles = {} as GuestHandles;
  GUEST_API.forEach((name, i) => {
    handles[name] = refs[i]!;
  });
  return handles;
}

/**
 * Calls a guest function asynchronously (on isolated-vm's threads, never on the host event loop),
 * bounded by the deadline. Arguments are strings (copied) or values already inside the isolate
 * (`derefInto`); the answer is copied out, so the host never holds a guest object either.
 */
export function callGuest(fn: ivm.Reference<unknown>, args: Array<string | ivm.Dereference<unknown>>, deadline: number, awaitPromise = false): Promise<unknown> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new DeadlinePassed('the deadline passed before the guest was called'));
  return fn.apply(undefined, args, { result: { copy: true, promise: awaitPromise }, timeout: Math.ceil(left) }) as Promise<unknown>;
}

/** Reads what a failed call means. isolated-vm reports these cases by message only. */
export function classifyFailure(err: unknown, isolate: ivm.Isolate): IsolateFailure {
  if (err instanceof DeadlinePassed) return 'timeout';
  const message = err instanceof Error ? err.message : String(err);
  if (isolate.isDisposed && /memory limit/i.test(message)) return 'memory';
  if (/^Script execution timed out/.test(message)) return 'timeout';
  return 'crash';
}

/** Disposes an isolate if it still lives; safe to call any number of times. */
export function disposeIsolate(isolate: ivm.Isolate): void {
  if (isolate.isDisposed) return;
  try {
    isolate.dispose();
  } catch {
    // Already disposed by isolated-vm itself (memory limit) between the check and the call.
  }
}

/** Bytes of heap the isolate holds, or undefined when it can no longer say. */
export async function measureHeap(isolate: ivm.Isolate): Promise<number | undefined> {
  if (isolate.isDisposed) return undefined;
  try {
    const stats = await isolate.getHeapStatistics();
    return stats.used_heap_size + stats.externally_allocated_size;
  } catch {
    return undefined;
  }
}
