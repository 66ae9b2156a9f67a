/**
 * @module The runtime module: its settings (execution slots, engine workers), the engines by runtime
 * name (in supervised worker processes by default, else in this process), and who learns when a
 * worker ends.
 */
import os from 'node:os';
import { z } from 'zod';
import type { Module, Stats } from '../shared/module.ts';
import { defineSettings } from '../shared/settings.ts';
import type { Engine, StepScheduler } from './engine.ts';
import { createIsolateEngine, isolateReservation, ISOLATE_RUNTIME } from './isolate/isolate-engine.ts';
import { isolatedVmBuild } from './isolate/ivm.ts';
import { startEngineWorkers, type EngineWorkers } from './worker/supervisor.ts';
import { createWorkerEngine } from './worker/worker-engine.ts';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const runtimeSettings = defineSettings({
  // Two per core: one running while the other's result crosses back to the event loop.
  executionSlots: { env: 'STRATUS_EXECUTION_SLOTS', rule: intIn(1, 10_000).default(2 * os.availableParallelism()) },
  // One per core: engines run in worker processes, so a crash in engine code ends one worker, not the node.
  engineWorkers: { env: 'STRATUS_ENGINE_WORKERS', rule: intIn(0, 256).default(os.availableParallelism()) },
});

export type RuntimeSettings = ReturnType<typeof runtimeSettings.read>;

/** An invocation that was in an engine worker when it ended. */
export interface RunningCall {
  accountId: string;
  functionName: string;
}

export interface RuntimeServices {
  /** Engines by the runtime name they serve. */
  engines: ReadonlyMap<string, Engine>;
  /** The isolated-vm release the isolate engine runs on. */
  isolatedVm: string;
  /** Process ids of the engine workers now running (empty when engines run in this process). */
  workerPids(): number[];
  /** Resident memory of the engine workers, summed (0 when engines run in this process). */
  workerResidentBytes(): number;
  /** Adds a listener told which invocations were running in an engine worker that ended. */
  onWorkerEnded(listener: (running: RunningCall[]) => void): void;
}

export interface RuntimeModuleDeps {
  log: { error(obj: object, msg: string): void };
  /** The node's fair scheduler for guest steps, used when engines run in this process (each worker has its own). */
  scheduler: StepScheduler & { stats(): { running: number; waiting: number } };
}

export async function createRuntimeModule(deps: RuntimeModuleDeps, config: RuntimeSettings): Promise<Module<RuntimeServices>> {
  const { log } = deps;
  const listeners: Array<(running: RunningCall[]) => void> = [];
  const workers =
    config.engineWorkers > 0
      ? await startWorkers(config, log, (running) => {
          for (const l of listeners) l(running);
        })
      : undefined;
  // What isolated-vm threw may quote guest text: the log gets a bounded copy, once per crash.
  const onCrash = (where: string, environmentId: string, err: unknown) => log.error({ err: boundedError(err), where, environmentId }, 'execution environment crashed');
  const isolateEngine = workers
    ? createWorkerEngine({ runtime: ISOLATE_RUNTIME, workers: workers.workers, reservation: isolateReservation })
    : createIsolateEngine({ onCrash, scheduler: deps.scheduler });
  const services: RuntimeServices = {
    engines: new Map([[ISOLATE_RUNTIME, isolateEngine]]),
    isolatedVm: workers?.isolatedVm ?? isolatedVmBuild().version,
    workerPids: () => workers?.workers.pids() ?? [],
    workerResidentBytes: () => workers?.workers.residentBytes() ?? 0,
    onWorkerEnded: (listener) => void listeners.push(listener),
  };
  return {
    services,
    stats(): Stats {
      const steps = deps.scheduler.stats();
      return {
        ExecutionSlots: config.executionSlots,
        // With engine workers each schedules its own steps: the server process's step counts exist only without them.
        ...(workers ? {} : { RunningSteps: steps.running, WaitingSteps: steps.waiting }),
        EngineWorkers: config.engineWorkers,
      };
    },
    close: () => workers?.workers.close(),
  };
}

/** Starts the engine worker processes and waits until each is ready; one line when they cannot start. */
async function startWorkers(
  config: RuntimeSettings,
  log: RuntimeModuleDeps['log'],
  onEnded: (running: RunningCall[]) => void,
): Promise<{ workers: EngineWorkers; isolatedVm: string }> {
  const workers = startEngineWorkers({
    count: config.engineWorkers,
    // The node's execution slots, shared out: each worker schedules its own environments' steps fairly.
    settings: { executionSlots: Math.max(1, Math.ceil(config.executionSlots / config.engineWorkers)) },
    // Which invocations were running names the function; the replacement starts at once.
    onExit: (exit) => {
      log.error({ worker: exit.slot, pid: exit.pid, code: exit.code, signal: exit.signal, inflight: exit.inflight }, 'engine worker process ended; replacing it');
      onEnded(exit.inflight);
    },
    onCrashReport: (r) => log.error({ worker: r.slot, where: r.where, environmentId: r.environmentId, err: r.error }, 'execution environment crashed'),
  });
  try {
    const { isolatedVm } = await workers.ready();
    return { workers, isolatedVm };
  } catch (err) {
    await workers.close();
    throw err;
  }
}

/** At most this much of an error's text reaches the server log. */
const MAX_LOGGED_ERROR_CHARS = 2048;

/** An error's type, message and stack, each cut to a bounded length. */
function boundedError(err: unknown): { type: string; message: string; stack?: string } {
  const cut = (text: string) =>
    text.length > MAX_LOGGED_ERROR_CHARS ? `${text.slice(0, MAX_LOGGED_ERROR_CHARS)}... (${text.length - MAX_LOGGED_ERROR_CHARS} more characters)` : text;
  if (!(err instanceof Error)) return { type: typeof err, message: cut(String(err)) };
  return { type: err.name, message: cut(err.message), ...(typeof err.stack === 'string' ? { stack: cut(err.stack) } : {}) };
}
