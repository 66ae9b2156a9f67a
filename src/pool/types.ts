/** @module The pool's public contract: acquire an environment for a partition, release it after one invocation. */
import type { EnvironmentSpec, GuestError, Environment, InvokeResult } from '../runtime/index.ts';
import type { FunctionId, Partition } from '../shared/identity.ts';

export interface Lease {
  readonly env: Environment;
  /** True when this acquire created the environment (a cold start). */
  readonly cold: boolean;
  /** ms spent creating the environment (init phase), 0 when warm. */
  readonly initDurationMs: number;
  /**
   * Gives the environment back after one invocation. Pass the invocation's result: an environment
   * whose result is `fatal` is disposed, any other goes back to the idle set of its partition.
   */
  release(result?: Pick<InvokeResult, 'fatal'>): void;
  /** Gives the environment back to be disposed, not reused (a one-shot environment, such as a deploy check). */
  retire(): void;
}

export type AcquireResult = { ok: true; lease: Lease } | { ok: false; error: GuestError; logs: string; lost?: true };

export interface PoolStats {
  environments: number;
  idle: number;
  busy: number;
  partitions: number;
  memoryBytes: number;
  /** What the live environments may grow to (their limits), the figure reclamation works against. */
  reservedBytes: number;
  created: number;
  evicted: number;
}

export interface Pool {
  /**
   * An idle environment of this partition, or a new one made from `spec()` (called only when one
   * must be created). Environments of a partition are never handed to another partition.
   * Throws StratusError INVOKE_CAPACITY_EXHAUSTED when the node cannot host another environment.
   */
  acquire(partition: Partition, spec: () => Promise<EnvironmentSpec> | EnvironmentSpec): Promise<AcquireResult>;
  /**
   * Disposes the idle environments of every partition of the function (it was deleted or changed) and
   * dooms its busy ones and those being created; touches no other function's environments.
   */
  evictFunction(fn: FunctionId): Promise<void>;
  stats(): PoolStats;
  /** Disposes everything; later acquires fail. */
  close(): Promise<void>;
}
