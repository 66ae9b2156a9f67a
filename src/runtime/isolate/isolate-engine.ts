/** @module The stratus-isolate engine: creates environments on isolated-vm, one V8 isolate and one context each, and runs their init phase. */
import ivm from 'isolated-vm';
import { randomIds, type IdSource } from '../../shared/ids.ts';
import type { CreateResult, Engine, EnvironmentSpec, GuestError } from '../engine.ts';
import { initCrashError, initOutOfMemoryError, initTimeoutError, syntaxError } from '../failures.ts';
import { loadGuestRuntimeSource, type GuestApiName } from '../guest/guest-source.ts';
import { GuestProtocolError, guestInitSpec, parseGuestError, parseGuestReport } from '../guest/protocol.ts';
import { LogLimit } from '../log-limit.ts';
import { callGuest, classifyFailure, disposeIsolate, loadGuestHandles, measureHeap, type GuestHandles } from './isolate-calls.ts';
import { BACKSTOP_GRACE_MS, IsolateEnvironment } from './isolate-environment.ts';
import { createRuntimeCompiler, type RuntimeCompiler } from './runtime-code-cache.ts';

export const ISOLATE_RUNTIME = 'stratus-isolate';
/** Lambda's bound on what one invocation may log is about this size; it keeps host memory flat. */
export const DEFAULT_MAX_LOG_BYTES = 256 * 1024;
/** isolated-vm refuses smaller heaps. */
const MIN_MEMORY_MB = 8;
/** Evaluating the runtime itself is a few ms; this bound only matters if the machine stalls. */
const RUNTIME_BOOT_TIMEOUT_MS = 5_000;

export interface IsolateEngineOptions {
  /** Bound on one invocation's logs, in UTF-8 bytes (default 256 KiB). */
  maxLogBytes?: number;
  /** Source of environment ids (tests inject a fixed one). */
  ids?: IdSource;
  /** Told the host-side cause of every environment crash (the caller only sees Runtime.ExitError). */
  onCrash?: CrashReporter;
}

/** Receives what isolated-vm threw when an environment broke for no reason the guest can be told. */
export type CrashReporter = (where: 'create' | 'invoke', environmentId: string, err: unknown) => void;

interface EngineDeps {
  onCrash: CrashReporter;
  maxLogBytes: number;
  ids: IdSource;
  runtime: RuntimeCompiler;
}

export function createIsolateEngine(opts: IsolateEngineOptions = {}): Engine {
  const deps: EngineDeps = {
    maxLogBytes: opts.maxLogBytes ?? DEFAULT_MAX_LOG_BYTES,
    ids: opts.ids ?? randomIds,
    onCrash: opts.onCrash ?? (() => {}),
    runtime: createRuntimeCompiler(loadGuestRuntimeSource()),
  };
  return { runtime: ISOLATE_RUNTIME, create: (spec) => createEnvironment(spec, deps) };
}

/** Node's CommonJS wrapper, kept on the first line so the bundle's line numbers stay right in traces. */
function wrapModule(code: string): string {
  const body = code.startsWith('#!') ? `//${code}` : code;
  return `(function (exports, require, module, __filename, __dirname) {${body}\n})`;
}

async function createEnvironment(spec: EnvironmentSpec, deps: EngineDeps): Promise<CreateResult> {
  const started = performance.now();
  const id = `env-${deps.ids.token(8)}`;
  const memoryMb = Math.max(MIN_MEMORY_MB, spec.memoryMb);
  const isolate = new ivm.Isolate({ memoryLimit: memoryMb });
  const deadline = Date.now() + spec.initTimeoutMs;
  const logs = new LogLimit(deps.maxLogBytes);
  let handles: GuestHandles | undefined;
  let backstopFired = false;
  const backstop = setTimeout(() => {
    backstopFired = true;
    disposeIsolate(isolate);
  }, spec.initTimeoutMs + BACKSTOP_GRACE_MS);
  const failed = (error: GuestError): CreateResult => {
    disposeIsolate(isolate);
    return { ok: false, error, logs: logs.text() };
  };

  try {
    const context = await isolate.createContext();
    const runtime = await deps.runtime.compile(isolate);
    const api = (await runtime.run(context, { reference: true, timeout: RUNTIME_BOOT_TIMEOUT_MS })) as ivm.Reference<Record<GuestApiName, unknown>>;
    handles = await loadGuestHandles(api);
    api.release();
    runtime.release();

    let script: ivm.Script;
    try {
      script = await isolate.compileScript(wrapModule(spec.code), { filename: '/var/task/index.js' });
    } catch (err) {
      if (err instanceof Error && err.name === 'SyntaxError' && !isolate.isDisposed) return failed(syntaxError(err.message));
      throw err;
    }
    // Evaluating the wrapper only creates the module function; the module's code runs in `init`.
    const factory = (await script.run(context, { reference: true, timeout: Math.max(1, deadline - Date.now()) })) as ivm.Reference<unknown>;
    script.release();
    const guest = handles;
    const initStep = () => callGuest(guest.init, [factory.derefInto(), guestInitSpec(spec, id, deps.maxLogBytes, new Date())], deadline);
    // Module top-level code is guest code like any handler: it takes its turn in the fair scheduler.
    const report = parseGuestReport(await (spec.schedule ? spec.schedule(initStep) : initStep()));
    factory.release();
    logs.append(report.logs);
    if (report.state !== 'done') throw new GuestProtocolError('init answered pending');
    if (report.outcome === 'error') return failed(parseGuestError(report.payload));

    const heapBytes = (await measureHeap(isolate)) ?? 0;
    const env = new IsolateEnvironment({ id, isolate, handles, memoryMb, maxLogBytes: deps.maxLogBytes, heapBytes, onCrash: deps.onCrash });
    return { ok: true, env, initDurationMs: performance.now() - started };
  } catch (err) {
    const reason = backstopFired ? 'timeout' : classifyFailure(err, isolate);
    if (reason === 'timeout' && handles !== undefined && !isolate.isDisposed) {
      try {
        const text = await handles.drainLogs.apply(undefined, [], { result: { copy: true }, timeout: 50 });
        if (typeof text === 'string') logs.append(text);
      } catch {
        // Init logs are lost with the isolate; the timeout error still says what happened.
      }
    }
    if (reason === 'timeout') return failed(initTimeoutError(spec.initTimeoutMs));
    if (reason === 'memory') return failed(initOutOfMemoryError(memoryMb));
    deps.onCrash('create', id, err);
    return failed(initCrashError());
  } finally {
    clearTimeout(backstop);
  }
}
