// Hostile resource use in a stratus-isolate environment: each case fails only its own environment, in the way a
// user would see it, while environments created beforehand keep answering correctly at the same time.
import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { payloadOf, request, useHostileEngine } from './isolate-support.ts';

const hostile = useHostileEngine({ maxLogBytes: 64 * 1024 });

/** Runs `body` as a handler while two bystanders are invoked; returns the attack's result. */
async function attack(body: string, opts: { timeoutMs?: number; memoryMb?: number } = {}) {
  const bystanders = await hostile.bystanders();
  const env = await hostile.env(`let calls = 0; exports.handler = async (event, context) => { if (++calls > 1) return 'still alive'; ${body} };`, {
    memoryMb: opts.memoryMb ?? 64,
  });
  const result = await bystanders.invokeDuring(env.invoke(request({ timeoutMs: opts.timeoutMs ?? 1_000 })));
  const after = await env.invoke(request());
  return { result, error: result.outcome === 'error' ? payloadOf(result) : undefined, after };
}

function expectFatal(outcome: Awaited<ReturnType<typeof attack>>, fatal: 'timeout' | 'memory', errorType: string) {
  expect(outcome.result.outcome).toBe('error');
  expect(outcome.result.fatal).toBe(fatal);
  expect(outcome.error.errorType).toBe(errorType);
  // The environment refuses further work; the pool must discard it.
  expect(outcome.after.fatal).toBe(fatal);
  expect(payloadOf(outcome.after).errorType).toBe('Runtime.EnvironmentUnusable');
}

describe('runaway CPU', () => {
  it('a synchronous infinite loop times out', async () => {
    expectFatal(await attack(`for (;;) {}`), 'timeout', 'Sandbox.Timedout');
  });

  it('an endless microtask loop times out', async () => {
    expectFatal(await attack(`const spin = () => { Promise.resolve().then(spin); }; spin(); await new Promise(() => {});`), 'timeout', 'Sandbox.Timedout');
  });

  it('an endless queueMicrotask / nextTick loop times out', async () => {
    expectFatal(await attack(`const spin = () => { queueMicrotask(spin); process.nextTick(() => {}); }; spin(); await new Promise(() => {});`), 'timeout', 'Sandbox.Timedout');
  });

  it('a promise chain that grows without end is stopped by the memory limit or the deadline', async () => {
    const outcome = await attack(`const spin = () => Promise.resolve().then(spin); spin(); await new Promise(() => {});`, { memoryMb: 32, timeoutMs: 15_000 });
    expect(['timeout', 'memory']).toContain(outcome.result.fatal);
    expect(outcome.after.fatal).toBe(outcome.result.fatal);
  });

  it('an endless timer loop times out', async () => {
    expectFatal(await attack(`const again = () => setTimeout(again, 0); again(); await new Promise(() => {});`), 'timeout', 'Sandbox.Timedout');
  });

  it('a setImmediate storm times out', async () => {
    expectFatal(await attack(`const again = () => { setImmediate(again); setImmediate(() => {}); }; again(); await new Promise(() => {});`), 'timeout', 'Sandbox.Timedout');
  });

  it('Atomics.wait on a value that never changes times out', async () => {
    expectFatal(await attack(`Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);`), 'timeout', 'Sandbox.Timedout');
  });

  it('a getter on the result that loops forever times out while the result is serialised', async () => {
    expectFatal(await attack(`return { get value() { for (;;) {} } };`), 'timeout', 'Sandbox.Timedout');
  });

  it('a toJSON that throws is an ordinary error and the environment lives on', async () => {
    const outcome = await attack(`return { toJSON() { throw new Error('no JSON for you'); } };`);
    expect(outcome.result.fatal).toBeUndefined();
    expect(outcome.error).toMatchObject({ errorType: 'Error', errorMessage: 'Unable to stringify response body' });
    expect(payloadOf(outcome.after)).toBe('still alive');
  });
});

describe('runaway memory', () => {
  it('an ever-growing array ends as Runtime.OutOfMemory naming the limit', async () => {
    const outcome = await attack(`const keep = []; for (;;) keep.push({ n: keep.length, s: 'x' + keep.length });`, { memoryMb: 32, timeoutMs: 15_000 });
    expectFatal(outcome, 'memory', 'Runtime.OutOfMemory');
    expect(outcome.error.errorMessage).toContain('32 MB');
  });

  it('string doubling hits V8’s string length limit as an ordinary RangeError, or the memory limit', async () => {
    const outcome = await attack(`let s = 'x'; const keep = []; for (;;) { s += s; keep.push(s + '!'); }`, { memoryMb: 32, timeoutMs: 15_000 });
    expect(outcome.result.outcome).toBe('error');
    if (outcome.result.fatal === undefined) {
      expect(outcome.error.errorType).toBe('RangeError');
      expect(payloadOf(outcome.after)).toBe('still alive');
    } else {
      expectFatal(outcome, 'memory', 'Runtime.OutOfMemory');
    }
  });

  it('a huge ArrayBuffer is refused with a RangeError and the environment lives on', async () => {
    const outcome = await attack(`return new ArrayBuffer(1024 * 1024 * 1024).byteLength;`, { memoryMb: 32, timeoutMs: 15_000 });
    expect(outcome.result.fatal).toBeUndefined();
    expect(outcome.error.errorType).toBe('RangeError');
    expect(payloadOf(outcome.after)).toBe('still alive');
  });

  it('many mid-sized ArrayBuffers kept alive end as Runtime.OutOfMemory or a RangeError, never a host failure', async () => {
    const outcome = await attack(`const keep = []; for (;;) keep.push(new Uint8Array(1024 * 1024).fill(1));`, { memoryMb: 32, timeoutMs: 15_000 });
    expect(outcome.result.outcome).toBe('error');
    if (outcome.result.fatal === undefined) expect(outcome.error.errorType).toBe('RangeError');
    else expectFatal(outcome, 'memory', 'Runtime.OutOfMemory');
  });

  it('deep recursion is a guest RangeError, not a crash', async () => {
    const outcome = await attack(`const down = (n) => down(n + 1) + 1; down(0);`);
    expect(outcome.result.fatal).toBeUndefined();
    expect(outcome.error).toMatchObject({ errorType: 'RangeError', errorMessage: 'Maximum call stack size exceeded' });
    expect(payloadOf(outcome.after)).toBe('still alive');
  });
});

describe('log floods', () => {
  it('a console flood far larger than the heap is truncated and leaves host memory flat', async () => {
    const before = process.memoryUsage().heapUsed;
    // ~400 MB of log text from a 64 MB environment: only a bounded buffer could survive this.
    const outcome = await attack(`const line = 'y'.repeat(4000); for (let i = 0; i < 100000; i++) console.log(i, line); return 'flooded';`, { memoryMb: 64, timeoutMs: 20_000 });
    expect(outcome.result.outcome).toBe('ok');
    expect(payloadOf(outcome.result)).toBe('flooded');
    expect(Buffer.byteLength(outcome.result.logs)).toBeLessThanOrEqual(64 * 1024);
    expect(outcome.result.logs).toContain('log output truncated');
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(64 * 1024 * 1024);
  });
});
