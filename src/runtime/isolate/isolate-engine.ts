/** @module The stratus-isolate engine: creates environments on isolated-vm, one V8 isolate and one context each, and runs their init phase. */
import { createHostCalls } from '../host-calls.ts';
import { isolatedVm, type IsolatedVM } from './ivm.ts';
import { randomIds, type IdSource } from '../../shared/ids.ts';
import { immediateSteps, type CreateResult, type Engine, type EnvironmentSpec, type GuestError, type StepScheduler } from '../engine.ts';
import { initCrashError, initOutOfMemoryError, initTimeoutError, syntaxError, unhandledRejectionError } from '../failures.ts';
import { loadGuestRuntimeSource, type GuestApiName } from '../guest/guest-source.ts';
import { GuestSteps } from '../guest-driver.ts';
import { GuestProtocolError, guestInitSpec, parseGuestError, parseGuestReport } from '../guest/protocol.ts';
import { LogLimit } from '../log-limit.ts';
import { createLogMirror, readLogMirror } from '../log-mirror.ts';
import { callGuest, classifyFailure, disposeIsolate, drainGuestLogs, loadGuestHandles, measureHeap, type GuestHandles } from './isolate-calls.ts';
import { IsolateEnvironment } from './isolate-environment.ts';
import { shareLogMirror } from './log-mirror-share.ts';
import { createRuntimeCompiler, type RuntimeCompiler } from './runtime-code-cache.ts';

export const ISOLATE_RUNTIME = 'stratus-isolate';
/** Lambda's bound on what one invocation may log is about this size; it keeps host memory flat. */
export const DEFAULT_MAX_LOG_BYTES = 256 * 1024;
/** isolated-vm refuses smaller heaps. */
const MIN_MEMORY_MB = 8;
/** Lambda's bound on a synchronous invocation's response; the guest refuses larger results itself. */
export const MAX_RESULT_BYTES = 6 * 1024 * 1024;

export interface IsolateEngineOptions {
  /** Bound on one invocation's logs, in UTF-8 bytes (default 256 KiB). */
  maxLogBytes?: number;
  /** Source of environment ids (tests inject a fixed one). */
  ids?: IdSource;
  /** Told the host-side cause of every environment crash (the caller only sees Runtime.ExitError). */
  onCrash?: CrashReporter;
  /** Gives every guest step its turn (the node's fair scheduler); absent: steps run at once. */
  scheduler?: StepScheduler;
}

/** Receives what isolated-vm threw when an environment broke for no reason the guest can be told. */
export type CrashReporter = (where: 'create' | 'invoke', environmentId: string, err: unknown) => void;

interface EngineDeps {
  onCrash: CrashReporter;
  maxLogBytes: number;
  /** Longest report the guest may answer, in characters: a result and a log buffer. */
  maxReportChars: number;
  ids: IdSource;
  runtime: RuntimeCompiler;
  scheduler: StepScheduler;
}

export function createIsolateEngine(opts: IsolateEngineOptions = {}): Engine {
  // Loaded now, so a Node that no isolated-vm build fits is refused at start, in one line.
  isolatedVm();
  const maxLogBytes = opts.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES;
  const deps: EngineDeps = {
    maxLogBytes,
    maxReportChars: MAX_RESULT_BYTES + maxLogBytes + 4096,
    ids: opts.ids ?? randomIds,
    onCrash: opts.onCrash ?? (() => {}),
    runtime: createRuntimeCompiler(loadGuestRuntimeSource()),
    scheduler: opts.scheduler ?? immediateSteps,
  };
  return { runtime: ISOLATE_RUNTIME, reservation: isolateReservation, create: (spec) => createEnvironment(spec, deps) };
}

/** What an isolate of this spec may grow to: its heap limit. Known without loading isolated-vm. */
export function isolateReservation(spec: Pick<EnvironmentSpec, 'memoryMb'>): number {
  return heapLimitMb(spec.memoryMb) * 1048576;
}

/** The isolate's heap limit: MemorySize, but never below what isolated-vm accepts. */
function heapLimitMb(memoryMb: number): number {
  return Math.max(MIN_MEMORY_MB, memoryMb);
}

/** Ends a bundle whose body runs as an async function (an ES module with top-level await; see the bundler). */
const ASYNC_MODULE_MARKER = '\n//# stratus:async-module';

/**
 * Node's CommonJS wrapper, kept on the first line so the bundle's line numbers stay right in traces;
 * an async one for an ES module that awaits at top level (its body returns its exports).
 */
function wrapModule(code: string): string {
  const body = code.startsWith('#!') ? `//${code}` : code;
  const kind = code.endsWith(ASYNC_MODULE_MARKER) ? 'async function' : 'function';
  return `(${kind} (exports, require, module, __filename, __dirname) {${body}\n})`;
}

async function createEnvironment(spec: EnvironmentSpec, deps: EngineDeps): Promise<CreateResult> {
  const started = performance.now();
  const id = `env-${deps.ids.token(8)}`;
  const memoryMb = heapLimitMb(spec.memoryMb);
  const isolate = new (isolatedVm().Isolate)({ memoryLimit: memoryMb });
  const logs = new LogLimit(deps.maxLogBytes);
  const mirror = createLogMirror();
  // Randomness and hashing for the guest: a copy-only callback into operations that never throw.
  const hostCalls = createHostCalls();
  const hostCallback = new (isolatedVm().Callback)((op: unknown, ...args: unknown[]) => hostCalls.call(op, ...args.slice(0, 5)));
  // Module top-level code is guest code like any handler: one step, under the init budget and the
  // same watchdog, taking its turn in the fair scheduler.
  const steps = new GuestSteps({ kill: () => disposeIsolate(isolate) }, spec.initTimeoutMs, deps.scheduler, spec.partition.flow, Date.now);
  let handles: GuestHandles | undefined;
  const failed = (error: GuestError, lost?: true): CreateResult => {
    hostCalls.dispose();
    disposeIsolate(isolate);
    return lost ? { ok: false, error, logs: logs.text(), lost } : { ok: false, error, logs: logs.text() };
  };

  try {
    // The runtime and the module wrapper are Stratus's own code and run no user code: no bound needed.
    const context = await isolate.createContext();
    const runtime = await deps.runtime.compile(isolate);
    const api = (await runtime.run(context, { reference: true })) as IsolatedVM.Reference<Record<GuestApiName, unknown>>;
    handles = await loadGuestHandles(api);
    api.release();
    runtime.release();

    let script: IsolatedVM.Script;
    try {
      script = await isolate.compileScript(wrapModule(spec.code), { filename: '/var/task/index.js' });
    } catch (err) {
      if (err instanceof Error && err.name === 'SyntaxError' && !isolate.isDisposed) return failed(syntaxError(err.message));
      throw err;
    }
    // Evaluating the wrapper only creates the module function; the module's code runs in `init`.
    const factory = (await script.run(context, { reference: true })) as IsolatedVM.Reference<unknown>;
    script.release();
    const guest = handles;
    const initSpec = guestInitSpec(spec, id, { maxLogBytes: deps.maxLogBytes, maxResultBytes: MAX_RESULT_BYTES }, new Date());
    const report = parseGuestReport(
      await steps.step(() => callGuest(guest.init, [factory.derefInto(), initSpec, shareLogMirror(mirror), hostCallback], true)),
      deps.maxReportChars,
    );
    factory.release();
    logs.append(report.logs);
    if (report.state !== 'done') throw new GuestProtocolError('init answered pending');
    if (report.outcome === 'error') return failed(parseGuestError(report.payload));

    const heapBytes = measureHeap(isolate) ?? 0;
    const env = new IsolateEnvironment({
      id,
      isolate,
      handles,
      mirror,
      memoryMb,
      maxLogBytes: deps.maxLogBytes,
      maxReportChars: deps.maxReportChars,
      heapBytes,
      onCrash: deps.onCrash,
      scheduler: deps.scheduler,
      flow: spec.partition.flow,
      hostCalls,
    });
    return { ok: true, env, initDurationMs: performance.now() - started };
  } catch (err) {
    const failure = steps.failure(err, (e) => classifyFailure(e, isolate));
    // Stopped in the middle of init: the mirror has what it logged.
    if (!failure.idle) logs.append(readLogMirror(mirror));
    if (failure.reason === 'timeout' && failure.idle && handles !== undefined) logs.append(await drainGuestLogs(isolate, handles, deps.maxReportChars));
    if (failure.lost) {
      deps.onCrash('create', id, failure.error);
      return failed(initTimeoutError(spec.initTimeoutMs), true);
    }
    if (failure.reason === 'timeout') return failed(initTimeoutError(spec.initTimeoutMs));
    if (failure.reason === 'memory') return failed(initOutOfMemoryError(memoryMb));
    if (failure.reason === 'rejection') return failed(unhandledRejectionError(failure.error));
    deps.onCrash('create', id, err);
    return failed(initCrashError());
  } finally {
    steps.dispose();
  }
}
