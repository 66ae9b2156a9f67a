/** @module Test support for the pool: a fake engine that records what it created, a manual clock and a pool factory. */
import type { CreateResult, Engine, Environment, EnvironmentSpec, GuestError, InvokeResult } from '../runtime/index.ts';
import type { Clock } from '../shared/clock.ts';
import { createPool, type PoolDeps } from './pool.ts';
import { partitionKey, type PartitionKey } from './partition.ts';
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
    /** The spec it was created from: its functionName is the partition key it was created for. */
    readonly spec: EnvironmentSpec,
    public memory: number,
  ) {}

  async invoke(): Promise<InvokeResult> {
    return { outcome: 'ok', payload: 'null', logs: '', durationMs: 0 };
  }

  memoryBytes(): number {
    return this.memory;
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
    if (failure !== undefined) return { ok: false, error: failure, logs: `INIT failed for ${spec.functionName}\n` };
    const env = new FakeEnvironment(`env-${this.envs.length + 1}`, spec, this.memoryPerEnv);
    this.envs.push(env);
    return { ok: true, env, initDurationMs: 7 };
  }
}

export function manualClock(start = 1_000_000): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

export function keyOf(name: string, tenantId?: string): PartitionKey {
  return partitionKey({ accountId: '123456789012', functionName: name, version: '$LATEST', codeRevision: 'r1', tenantId });
}

/** A spec whose functionName is the partition key, so a test can tell which partition an environment was made for. */
export function specFor(key: PartitionKey, runtime = FAKE_RUNTIME): EnvironmentSpec {
  return {
    runtime,
    code: 'exports.handler = async () => null;',
    handlerExport: 'handler',
    env: {},
    memoryMb: 128,
    initTimeoutMs: 1_000,
    functionName: key,
    functionVersion: '$LATEST',
  };
}

export function createdFor(env: Environment): PartitionKey {
  return (env as FakeEnvironment).spec.functionName as PartitionKey;
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
export async function lease(pool: Pool, key: PartitionKey, spec: () => EnvironmentSpec = () => specFor(key)) {
  const result = await pool.acquire(key, spec);
  if (!result.ok) throw new Error(`expected a lease, got ${result.error.errorType}`);
  return result.lease;
}
