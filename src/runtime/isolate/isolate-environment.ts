/** @module One stratus-isolate environment: a V8 isolate holding one initialized function, driven invocation by invocation through the guest driver. */
import type { IsolatedVM } from './ivm.ts';
import type { FlowPath } from '../../shared/identity.ts';
import type { Environment, EnvironmentMemory, FatalReason, InvokeRequest, InvokeResult, StepScheduler } from '../engine.ts';
import { busyError, crashError, outOfMemoryError, timeoutError, unhandledRejectionError, unusableError } from '../failures.ts';
import { driveInvocation, type GuestPort } from '../guest-driver.ts';
import type { HostCalls } from '../host-calls.ts';
import { LogLimit } from '../log-limit.ts';
import { clearLogMirror, readLogMirror } from '../log-mirror.ts';
import { callGuest, classifyFailure, disposeIsolate, drainGuestLogs, measureHeap, type GuestHandles } from './isolate-calls.ts';

export interface IsolateEnvironmentDeps {
  id: string;
  isolate: IsolatedVM.Isolate;
  handles: GuestHandles;
  /** Shared with the guest's log buffer: read when a step had to be stopped (see log-mirror.ts). */
  mirror: SharedArrayBuffer;
  memoryMb: number;
  maxLogBytes: number;
  maxReportChars: number;
  heapBytes: number;
  onCrash: (where: 'invoke', environmentId: string, err: unknown) => void;
  scheduler: StepScheduler;
  flow: FlowPath;
  /** The environment's host operations: their state goes with the environment. */
  hostCalls: HostCalls;
}

export class IsolateEnvironment implements Environment {
  readonly id: string;
  private readonly isolate: IsolatedVM.Isolate;
  private readonly handles: GuestHandles;
  private readonly mirror: SharedArrayBuffer;
  private readonly memoryMb: number;
  private readonly maxLogBytes: number;
  private readonly maxReportChars: number;
  private readonly onCrash: IsolateEnvironmentDeps['onCrash'];
  private readonly port: GuestPort;
  private readonly scheduler: StepScheduler;
  private readonly flow: FlowPath;
  private heapBytes: number;
  private busy = false;
  private disposed = false;
  private fatal: FatalReason | undefined;

  private readonly hostCalls: HostCalls;

  constructor(deps: IsolateEnvironmentDeps) {
    this.hostCalls = deps.hostCalls;
    this.id = deps.id;
    this.isolate = deps.isolate;
    this.handles = deps.handles;
    this.mirror = deps.mirror;
    this.memoryMb = deps.memoryMb;
    this.maxLogBytes = deps.maxLogBytes;
    this.maxReportChars = deps.maxReportChars;
    this.heapBytes = deps.heapBytes;
    this.onCrash = deps.onCrash;
    this.scheduler = deps.scheduler;
    this.flow = deps.flow;
    const { run, pump } = deps.handles;
    const mirror = deps.mirror;
    this.port = {
      run: (payload, meta) => {
        clearLogMirror(mirror);
        return callGuest(run, [payload, meta], true);
      },
      pump: (deadline) => {
        clearLogMirror(mirror);
        return callGuest(pump, [deadline], true);
      },
      kill: () => disposeIsolate(this.isolate),
      classify: (err) => classifyFailure(err, this.isolate),
    };
  }

  memory(): EnvironmentMemory {
    return { reserved: this.memoryMb * 1048576, used: this.heapBytes };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.hostCalls.dispose();
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
    try {
      const drive = await driveInvocation(this.port, req, logs, { maxReportChars: this.maxReportChars, scheduler: this.scheduler, flow: this.flow, memoryUsed: this.heapBytes });
      if (drive.ok) {
        this.measure();
        return { outcome: drive.report.outcome, payload: drive.report.payload, logs: logs.text(), durationMs: performance.now() - started };
      }
      const reason = this.disposed && drive.reason !== 'timeout' ? 'crash' : drive.reason;
      if (reason === 'crash' || drive.lost) this.onCrash('invoke', this.id, drive.error);
      if (drive.idle) {
        // A timeout between steps: the isolate is alive and idle, its buffer has what was logged since.
        if (reason === 'timeout') logs.append(await drainGuestLogs(this.isolate, this.handles, this.maxReportChars));
      } else {
        // A step that ended without its report: the mirror has what that step logged.
        logs.append(readLogMirror(this.mirror));
      }
      const result = this.fail(reason, req, logs, started, drive.error);
      return drive.lost ? { ...result, lost: true } : result;
    } finally {
      this.busy = false;
    }
  }

  private fail(reason: FatalReason | 'rejection', req: InvokeRequest, logs: LogLimit, started: number, cause: unknown): InvokeResult {
    // An unhandled rejection ends the environment as it ends Lambda's runtime process.
    const fatal: FatalReason = reason === 'rejection' ? 'crash' : reason;
    this.fatal = fatal;
    disposeIsolate(this.isolate);
    if (reason === 'rejection') {
      const error = unhandledRejectionError(cause);
      logs.append(`${new Date().toISOString()}\t${req.requestId}\tERROR\tUnhandled Promise Rejection \t${JSON.stringify(error)}\n`);
      return { outcome: 'error', payload: JSON.stringify(error), logs: logs.text(), fatal, durationMs: performance.now() - started };
    }
    const error = reason === 'timeout' ? timeoutError(req, new Date()) : reason === 'memory' ? outOfMemoryError(req.requestId, this.memoryMb) : crashError(req.requestId);
    // Lambda writes the reason into the logs too, so a tail of the logs shows why the call ended.
    logs.append(`${error.errorMessage}\n`);
    return { outcome: 'error', payload: JSON.stringify(error), logs: logs.text(), fatal, durationMs: performance.now() - started };
  }

  /**
   * Heap after every invocation, so the pool's memory budget sees what an environment holds when
   * it goes back idle. Read before the release, while nothing else runs in the isolate.
   */
  private measure(): void {
    const bytes = measureHeap(this.isolate);
    if (bytes !== undefined) this.heapBytes = bytes;
  }
}
