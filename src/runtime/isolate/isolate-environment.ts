/** @module One stratus-isolate environment: a V8 isolate holding one initialized function, driven invocation by invocation through the guest pump protocol. */
import type ivm from 'isolated-vm';
import type { Environment, FatalReason, InvokeRequest, InvokeResult } from '../engine.ts';
import { busyError, crashError, outOfMemoryError, timeoutError, unusableError } from '../failures.ts';
import { guestInvokeMeta, parseGuestReport, type GuestReport } from '../guest/protocol.ts';
import { LogLimit } from '../log-limit.ts';
import { callGuest, classifyFailure, disposeIsolate, measureHeap, type GuestHandles, type IsolateFailure } from './isolate-calls.ts';

/** How long past its deadline a call may run before the host disposes the isolate itself. */
export const BACKSTOP_GRACE_MS = 500;
/** Budget for collecting a timed-out invocation's logs from the (idle) isolate. */
const SALVAGE_TIMEOUT_MS = 50;
/** Heap is measured after every Nth invocation: often enough for the pool, cheap on the hot path. */
const HEAP_SAMPLE_EVERY = 8;

export interface IsolateEnvironmentDeps {
  id: string;
  isolate: ivm.Isolate;
  handles: GuestHandles;
  memoryMb: number;
  maxLogBytes: number;
  heapBytes: number;
  onCrash: (where: 'invoke', environmentId: string, err: unknown) => void;
}

export class IsolateEnvironment implements Environment {
  readonly id: string;
  private readonly isolate: ivm.Isolate;
  private readonly handles: GuestHandles;
  private readonly memoryMb: number;
  private readonly maxLogBytes: number;
  private readonly onCrash: IsolateEnvironmentDeps['onCrash'];
  private heapBytes: number;
  private invocations = 0;
  private busy = false;
  private disposed = false;
  private fatal: FatalReason | undefined;

  constructor(deps: IsolateEnvironmentDeps) {
    this.id = deps.id;
    this.isolate = deps.isolate;
    this.handles = deps.handles;
    this.memoryMb = deps.memoryMb;
    this.maxLogBytes = deps.maxLogBytes;
    this.heapBytes = deps.heapBytes;
    this.onCrash = deps.onCrash;
  }

  memoryBytes(): number {
    return this.heapBytes;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // Tearing an isolate down is synchronous (about 2 ms): do it after the current request's
    // response has gone out rather than inside the acquire that evicted this environment.
    await new Promise((resolve) => setImmediate(resolve));
    disposeIsolate(this.isolate);
  }

  async invoke(req: InvokeRequest): Promise<InvokeResult> {
    const started = performance.now();
    if (this.disposed || this.fatal !== undefined || this.isolate.isDisposed) {
      const reason = this.fatal ?? 'crash';
      const error = unusableError(req.requestId, this.fatal ?? 'disposed');
      return { outcome: 'error', payload: JSON.stringify(error), logs: '', fatal: reason, durationMs: performance.now() - started };
    }
    if (this.busy) {
      return { outcome: 'error', payload: JSON.stringify(busyError(req.requestId)), logs: '', durationMs: performance.now() - started };
    }
    this.busy = true;
    const logs = new LogLimit(this.maxLogBytes);
    // isolated-vm's per-call timeout is the primary bound; this timer catches what it cannot
    // (a call that never yields to termination) by disposing the isolate under the call.
    let backstopFired = false;
    const backstop = setTimeout(() => {
      backstopFired = true;
      disposeIsolate(this.isolate);
    }, Math.max(0, req.deadline - Date.now()) + BACKSTOP_GRACE_MS);
    try {
      const report = await this.run(req, logs);
      this.afterInvoke();
      return { outcome: report.outcome, payload: report.payload, logs: logs.text(), durationMs: performance.now() - started };
    } catch (err) {
      const reason = backstopFired ? 'timeout' : this.disposed ? 'crash' : classifyFailure(err, this.isolate);
      if (reason === 'crash') this.onCrash('invoke', this.id, err);
      return await this.fail(reason, req, logs, started);
    } finally {
      clearTimeout(backstop);
      this.busy = false;
    }
  }

  /** run, then pump until done: one async hop for a handler that waits on nothing but promises. */
  private async run(req: InvokeRequest, logs: LogLimit): Promise<Extract<GuestReport, { state: 'done' }>> {
    const call = (ref: GuestHandles['run' | 'pump'], args: string[], awaitPromise: boolean) => {
      const step = () => callGuest(ref, args, req.deadline, awaitPromise);
      return req.schedule ? req.schedule(step) : step();
    };
    // `run` answers through a promise once the handler settles, so promise-only handlers take one hop.
    let report = parseGuestReport(await call(this.handles.run, [req.payload, guestInvokeMeta(req)], true));
    for (;;) {
      logs.append(report.logs);
      if (report.state === 'done') return report;
      // A timer due after the deadline is waited for only until the deadline; the next call then times out.
      const wakeAt = Math.min(report.nextTimerAt, req.deadline);
      const wait = wakeAt - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      report = parseGuestReport(await call(this.handles.pump, [], false));
    }
  }

  private async fail(reason: IsolateFailure, req: InvokeRequest, logs: LogLimit, started: number): Promise<InvokeResult> {
    this.fatal = reason;
    if (reason === 'timeout') await this.salvageLogs(logs);
    disposeIsolate(this.isolate);
    const error =
      reason === 'timeout'
        ? timeoutError(req, new Date())
        : reason === 'memory'
          ? outOfMemoryError(req.requestId, this.memoryMb)
          : crashError(req.requestId);
    // Lambda writes the reason into the logs too, so a tail of the logs shows why the call ended.
    logs.append(`${error.errorMessage}\n`);
    return { outcome: 'error', payload: JSON.stringify(error), logs: logs.text(), fatal: reason, durationMs: performance.now() - started };
  }

  /** After a timeout isolated-vm leaves the isolate idle, not dead: the logs written so far are still there. */
  private async salvageLogs(logs: LogLimit): Promise<void> {
    if (this.isolate.isDisposed) return;
    try {
      const text = await this.handles.drainLogs.apply(undefined, [], { result: { copy: true }, timeout: SALVAGE_TIMEOUT_MS });
      if (typeof text === 'string') logs.append(text);
    } catch {
      // The logs are lost with the isolate; the timeout error still reaches the caller.
    }
  }

  private afterInvoke(): void {
    if (++this.invocations % HEAP_SAMPLE_EVERY !== 0) return;
    void measureHeap(this.isolate).then((bytes) => {
      if (bytes !== undefined) this.heapBytes = bytes;
    });
  }
}
