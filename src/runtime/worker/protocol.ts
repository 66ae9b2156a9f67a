/** @module Messages between the main process and an engine worker process: one request and one answer per create, invoke and dispose. */
import type { EnvironmentMemory, EnvironmentSpec, GuestError, InvokeRequest, InvokeResult } from '../engine.ts';

export type ToWorker =
  | { t: 'create'; id: number; spec: EnvironmentSpec }
  | { t: 'invoke'; id: number; env: string; req: InvokeRequest }
  | { t: 'dispose'; id: number; env: string };

export type Created = { ok: true; env: string; initDurationMs: number; memory: EnvironmentMemory } | { ok: false; error: GuestError; logs: string; lost?: true };

export type FromWorker =
  | { t: 'ready'; isolatedVm: string }
  | { t: 'created'; id: number; result: Created }
  | { t: 'invoked'; id: number; result: InvokeResult; memory: EnvironmentMemory }
  | { t: 'disposed'; id: number }
  /** What an engine threw when an environment broke (bounded text), for the main process's log. */
  | { t: 'crash'; where: 'create' | 'invoke'; environmentId: string; error: string }
  /** A request the worker could not serve (unknown environment, a failure of the worker itself). */
  | { t: 'failed'; id: number; error: string };

/** Settings the main process passes to each worker, as JSON in STRATUS_ENGINE_WORKER. */
export interface WorkerSettings {
  /** Guest steps that may run at once in this worker. */
  executionSlots: number;
  maxLogBytes?: number;
}
