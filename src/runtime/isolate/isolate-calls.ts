/** @module The one place that calls into an isolate: References the host holds to the guest runtime's functions, called with string copies, and the reading of what isolated-vm throws back. */
import type { IsolatedVM } from './ivm.ts';
import { GUEST_API, type GuestApiName } from '../guest/guest-source.ts';

/** Host-held handles to the guest runtime's protocol functions. They never travel into the guest. */
export type GuestHandles = Record<GuestApiName, IsolatedVM.Reference<unknown>>;

/** Resolves the runtime's exported functions once, at create time, so invokes pay no lookups. */
export async function loadGuestHandles(api: IsolatedVM.Reference<Record<GuestApiName, unknown>>): Promise<GuestHandles> {
  const refs = await Promise.all(GUEST_API.map((name) => api.get(name, { reference: true }) as Promise<IsolatedVM.Reference<unknown>>));
  const handles = {} as GuestHandles;
  GUEST_API.forEach((name, i) => {
    handles[name] = refs[i]!;
  });
  return handles;
}

/**
 * Calls a guest function asynchronously (on isolated-vm's threads, never on the host event loop).
 * No timeout: isolated-vm keeps a timer per call until it is due, so deadlines are enforced by one
 * watchdog per invocation (guest-driver.ts) instead. Arguments are strings or numbers (copied) or
 * values already inside the isolate (`derefInto`); the answer is copied out, so the host never
 * holds a guest object either.
 */
export function callGuest(
  fn: IsolatedVM.Reference<unknown>,
  args: Array<string | number | IsolatedVM.Dereference<unknown> | IsolatedVM.Copy<unknown> | IsolatedVM.Callback>,
  awaitPromise = false,
): Promise<unknown> {
  return fn.apply(undefined, args, { result: { copy: true, promise: awaitPromise } }) as Promise<unknown>;
}

/**
 * Reads what a failed call means. isolated-vm reports a memory limit by message only, and a
 * promise the guest rejected without a handler by rejecting the call with the promise's reason
 * while the isolate lives on (the runtime's own calls never throw). Anything else is a crash.
 */
export function classifyFailure(err: unknown, isolate: IsolatedVM.Isolate): 'memory' | 'rejection' | 'crash' {
  const message = err instanceof Error ? err.message : String(err);
  if (isolate.isDisposed) return /memory limit/i.test(message) ? 'memory' : 'crash';
  return 'rejection';
}

/** Budget for collecting logs from an idle isolate after a timeout: the runtime only returns a string it holds. */
const DRAIN_TIMEOUT_MS = 50;

/**
 * The log lines still buffered in an idle, living isolate (after a timeout found it waiting), at
 * most `maxChars` of them; '' when it can no longer say. The one call that carries a timeout:
 * rare (once per timed-out invocation), so it cannot pile up isolated-vm's timers.
 */
export async function drainGuestLogs(isolate: IsolatedVM.Isolate, handles: GuestHandles, maxChars: number): Promise<string> {
  if (isolate.isDisposed) return '';
  try {
    const text = await handles.drainLogs.apply(undefined, [], { result: { copy: true }, timeout: DRAIN_TIMEOUT_MS });
    return typeof text === 'string' && text.length <= maxChars ? text : '';
  } catch {
    return '';
  }
}

/** Disposes an isolate if it still lives; safe to call any number of times. */
export function disposeIsolate(isolate: IsolatedVM.Isolate): void {
  if (isolate.isDisposed) return;
  try {
    isolate.dispose();
  } catch {
    // Already disposed by isolated-vm itself (memory limit) between the check and the call.
  }
}

/**
 * Bytes the isolate holds: its heap and the array buffers counted against its limit (the guest
 * runtime leaves no other way to grow memory), or undefined when it can no longer say. Synchronous
 * (about 5 µs on an idle isolate), so it is read on every release.
 */
export function measureHeap(isolate: IsolatedVM.Isolate): number | undefined {
  if (isolate.isDisposed) return undefined;
  try {
    const stats = isolate.getHeapStatisticsSync();
    return stats.used_heap_size + stats.externally_allocated_size;
  } catch {
    return undefined;
  }
}
