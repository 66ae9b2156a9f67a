/** @module Test support for the pool: a fake engine that records what it created, a manual clock and a pool factory. */
import type { CreateResult, Engine, Environment, EnvironmentMemory, EnvironmentSpec, GuestError, InvokeResult } from '../runtime/index.ts';
import type { Clock } from '../shared/clock.ts';
import { functionId, partitionOf, type Partition, type PartitionKey } from '../shared/identity.ts';
import { createPool, type PoolDeps } from './pool.ts';
import type { Pool } from './types.ts';

export const FAKE_RUNTIME = 'fake-runtime';

export class FakeEnvironment implements Environment {
  disposeCalls = 0;
  disposed = false;
  failDispose = false;
  /** When set, dispose() finishes only after this promise settles. */
  disposeGate: Promise<void> | undefined;

  constructor(
    readonly id: string,
    /** The spec it was created from, with the partition it was created for. */
    readonly spec: EnvironmentSpec,
    public used: number,
  ) {}

  async invoke(): Promise<InvokeResult> {
    return { outcome: 'ok', payload: 'null', logs: '', durationMs: 0 };
  }

  memory(): EnvironmentMemory {
    return { reserved: this.spec.memoryMb * 1048576, used: this.used };
  }

  async dispose(): Promise<void> {
    this.disposeCalls++;
    if (this.disposeGate !== undefined) await this.disposeGate;
    this.disposed = true;
    if (this.failDispose) throw new Error('dispose exploded');
  }
}

export class FakeEngine implements Engine {
  readonly runtime = FAKE_RUNTIME;
  reservation(spec: Pick<EnvironmentSpec, 'memoryMb'>): number {
    return spec.memoryMb * 1048576;
  }
  readonly envs: FakeEnvironment[] = [];
  /** Memory each new environment reports. */
  memoryPerEnv = 1_000;
  /** Init failures to return, in order, before creating normally again. */
  readonly failures: GuestError[] = [];
  /** When set, each create waits for it (lets a test hold creates in flight). */
  createGate: (() => Promise<void>) | undefined;

  async create(spec: EnvironmentSpec): Promise<CreateResult> {
    if (this.createGate !== undefined) await this.createGate();
    const failure = this.failures.shift();
    if (failure !== undefined) return { ok: false, error: failure, logs: `INIT failed for ${spec.partition.fn.name}\n` };
    const env = new FakeEnvironment(`env-${this.envs.length + 1}`, spec, this.memoryPerEnv);
    this.envs.push(env);
    return { ok: true, env, initDurationMs: 7 };
  }
}

/**
 * Resolves once every promise continuation already queued has run. The fake engine does no I/O and
 * the pool sets no timer on these paths, so what is still pending after it waits on a gate.
 */
export const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** A partition of function `name` (account 123456789012 unless given), optionally of a tenant. */
export function keyOf(name: string, tenantId?: string, accountId = '123456789012'): Partition {
  return partitionOf(functionId(accountId, name), '$LATEST', 'r1', tenantId);
}

/** A spec for the partition, so a test can tell which partition an environment was made for. */
export function specFor(partition: Partition, runtime = FAKE_RUNTIME): EnvironmentSpec {
  return {
    runtime,
    code: 'exports.handler = async () => null;',
    handlerExport: 'handler',
    handler: 'index.handler',
    region: 'us-east-1',
    env: {},
    memoryMb: 128,
    initTimeoutMs: 1_000,
    partition,
    isolation: 'environment',
  };
}

export function createdFor(env: Environment): PartitionKey {
  return (env as FakeEnvironment).spec.partition.key;
}

export interface Harness {
  pool: Pool;
  engine: FakeEngine;
  clock: ReturnType<typeof manualClock>;
  warnings: Array<{ obj: object; msg: string }>;
}

export function harness(overrides: Partial<PoolDeps> = {}): Harness {
  const engine = new FakeEngine();
  const clock = manualClock();
  const warnings: Harness['warnings'] = [];
  const pool = createPool({
    engines: new Map([[engine.runtime, engine]]),
    clock,
    keepAliveMs: 600_000,
    maxEnvironments: 10,
    memoryBudgetBytes: 1_000_000,
    acquireTimeoutMs: 1_000,
    logger: { warn: (obj, msg) => void warnings.push({ obj, msg }) },
    ...overrides,
  });
  return { pool, engine, clock, warnings };
}

/** Acquires and unwraps a successful lease (a failure result fails the test). */
export async function lease(pool: Pool, key: Partition, spec: () => EnvironmentSpec = () => specFor(key)) {
  const result = await pool.acquire(key, spec);
  if (!result.ok) throw new Error(`expected a lease, got ${result.error.errorType}`);
  return result.lease;
}
