// Engine workers as the pool sees them through the Engine port: environments live in the worker
// their partition is placed on, a killed worker's environments report it and are not alive, and a
// request made while a worker is being replaced is served by its successor.
import { afterEach, describe, expect, it } from 'vitest';
import { functionId, partitionOf } from '../../shared/identity.ts';
import type { EnvironmentSpec } from '../engine.ts';
import { isolateReservation, ISOLATE_RUNTIME } from '../isolate/isolate-engine.ts';
import { makeRequest } from '../isolate/test-support.ts';
import { startEngineWorkers, type EngineWorkers, type WorkerExit } from './supervisor.ts';
import { createWorkerEngine } from './worker-engine.ts';

let workers: EngineWorkers | undefined;
afterEach(async () => {
  await workers?.close();
  workers = undefined;
});

function spec(code: string, name = 'fn'): EnvironmentSpec {
  return {
    runtime: ISOLATE_RUNTIME,
    code,
    handlerExport: 'handler',
    handler: 'index.handler',
    region: 'us-east-1',
    env: {},
    memoryMb: 64,
    initTimeoutMs: 5_000,
    partition: partitionOf(functionId('123456789012', name), '$LATEST', 'r1'),
    isolation: 'environment',
  };
}

async function start(count: number) {
  const exits: WorkerExit[] = [];
  workers = startEngineWorkers({ count, settings: { executionSlots: 2 }, onExit: (e) => void exits.push(e), onCrashReport: () => {} });
  await workers.ready();
  return { workers, exits, engine: createWorkerEngine({ runtime: ISOLATE_RUNTIME, workers, reservation: isolateReservation }) };
}

describe('engine workers', () => {
  it('create, invoke and dispose an environment in a worker, one round trip each, with its memory reported back', async () => {
    const { engine, workers } = await start(2);
    expect(workers.pids()).toHaveLength(2);
    // Each worker holds a Node.js process's worth of memory: tens of MB, counted in the node's resident memory.
    expect(workers.residentBytes()).toBeGreaterThan(2 * 10 * 1048576);
    expect(workers.slotFor(spec('').partition.key)).toBe(workers.slotFor(spec('').partition.key));
    const created = await engine.create(spec(`let n = 0; exports.handler = async (e) => ({ n: ++n, got: e.x });`));
    if (!created.ok) throw new Error(created.error.errorMessage);
    const env = created.env;
    expect(env.memory().reserved).toBe(64 * 1048576);
    const first = await env.invoke(makeRequest({ payload: '{"x":1}' }));
    const second = await env.invoke(makeRequest({ payload: '{"x":2}' }));
    expect(JSON.parse(first.payload)).toEqual({ n: 1, got: 1 });
    expect(JSON.parse(second.payload)).toEqual({ n: 2, got: 2 });
    expect(env.memory().used).toBeGreaterThan(0);
    await env.dispose();
    expect(env.alive?.()).toBe(false);
  });

  it('runs environments in UTC, as Lambda does, whatever the host’s time zone', async () => {
    const { engine } = await start(1);
    const created = await engine.create(spec(`exports.handler = async () => [new Date(0).getTimezoneOffset(), Intl.DateTimeFormat().resolvedOptions().timeZone];`));
    if (!created.ok) throw new Error(created.error.errorMessage);
    expect(JSON.parse((await created.env.invoke(makeRequest())).payload)).toEqual([0, 'UTC']);
  });

  it('an init failure comes back as the engine reported it', async () => {
    const { engine } = await start(1);
    const created = await engine.create(spec(`exports.other = 1;`));
    expect(created.ok).toBe(false);
    if (!created.ok) expect(created.error.errorType).toBe('Runtime.HandlerNotFound');
  });

  it('a killed worker fails the invocation it was running as `worker`, takes its environments with it, and its successor serves the next request', async () => {
    const { engine, workers, exits } = await start(1);
    const created = await engine.create(spec(`exports.handler = async () => { await new Promise((r) => setTimeout(r, 30000)); };`));
    if (!created.ok) throw new Error(created.error.errorMessage);
    const running = created.env.invoke(makeRequest({ timeoutMs: 60_000 }));
    const [pid] = workers.pids();
    // Whether the kill lands before or after the worker reads the request, the request was in flight.
    process.kill(pid!, 'SIGKILL');
    const result = await running;
    expect(result.fatal).toBe('worker');
    expect(created.env.alive?.()).toBe(false);
    // Asked at once, before the successor is up: it waits for it instead of failing.
    const next = await engine.create(spec(`exports.handler = async () => 'again';`, 'other'));
    if (!next.ok) throw new Error(next.error.errorMessage);
    expect(JSON.parse((await next.env.invoke(makeRequest())).payload)).toBe('again');
    expect(workers.pids()).toHaveLength(1);
    expect(workers.pids()[0]).not.toBe(pid);
    expect(exits).toEqual([expect.objectContaining({ signal: 'SIGKILL', inflight: [expect.objectContaining({ op: 'invoke', functionName: 'fn' })] })]);
  });
});
