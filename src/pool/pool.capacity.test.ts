/** @module Tests for the pool's limits: LRU eviction at maxEnvironments, waiting, timeouts and the memory budget. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isStratusError } from '../shared/errors.ts';
import { createdFor, harness, keyOf, lease, settled, specFor, type FakeEnvironment, type Harness } from './fake-engine.test-support.ts';

const A = keyOf('alpha');
const B = keyOf('beta');
const C = keyOf('gamma');

let h: Harness;
afterEach(async () => {
  vi.useRealTimers();
  await h?.pool.close();
});

describe('pool capacity', () => {
  it('evicts the least recently used idle environment of any partition at maxEnvironments', async () => {
    h = harness({ maxEnvironments: 2 });
    const a = await lease(h.pool, A);
    const b = await lease(h.pool, B);
    a.release(); // a is now the least recently used
    b.release();
    const c = await lease(h.pool, C);
    expect(c.cold).toBe(true);
    expect((a.env as FakeEnvironment).disposed).toBe(true);
    expect((b.env as FakeEnvironment).disposed).toBe(false);
    expect(h.pool.stats()).toMatchObject({ environments: 2, partitions: 2, evicted: 1 });
    expect((await lease(h.pool, B)).env).toBe(b.env);
  });

  it("makes an acquire at capacity wait, then gives it the released environment's slot", async () => {
    h = harness({ maxEnvironments: 1 });
    const a = await lease(h.pool, A);
    const spec = vi.fn(() => specFor(B));
    let done = false;
    const waiting = lease(h.pool, B, spec).finally(() => (done = true));
    await settled();
    expect(done).toBe(false);
    a.release();
    const b = await waiting;
    expect(b.cold).toBe(true);
    expect(createdFor(b.env)).toBe(B.key);
    expect((a.env as FakeEnvironment).disposed).toBe(true);
    expect(spec).toHaveBeenCalledTimes(1);
    expect(h.pool.stats()).toMatchObject({ environments: 1, busy: 1 });
  });

  it('hands a released environment straight to a waiter of the same partition, without spec()', async () => {
    h = harness({ maxEnvironments: 1 });
    const a = await lease(h.pool, A);
    const spec = vi.fn(() => specFor(A));
    const waiting = lease(h.pool, A, spec);
    await Promise.resolve();
    a.release();
    const next = await waiting;
    expect(next.env).toBe(a.env);
    expect(next.cold).toBe(false);
    expect(spec).not.toHaveBeenCalled();
  });

  it('serves waiters first in, first out', async () => {
    h = harness({ maxEnvironments: 1 });
    const a = await lease(h.pool, A);
    const order: string[] = [];
    const first = lease(h.pool, B).then((l) => (order.push('B'), l));
    const second = lease(h.pool, C).then((l) => (order.push('C'), l));
    await Promise.resolve();
    a.release();
    (await first).release();
    (await second).release();
    expect(order).toEqual(['B', 'C']);
  });

  it('serves waiting accounts in turn: one account’s flood of cold starts does not queue another’s behind it', async () => {
    h = harness({ maxEnvironments: 1 });
    const other = (name: string) => keyOf(name, undefined, '999999999999');
    const a = await lease(h.pool, A);
    const order: string[] = [];
    const flood = [B, C, keyOf('delta'), keyOf('epsilon')].map((key, i) => lease(h.pool, key).then((l) => (order.push(`flood${i}`), l)));
    const victim = lease(h.pool, other('victim')).then((l) => (order.push('victim'), l));
    await Promise.resolve();
    a.release();
    for (const p of [flood[0]!, victim, ...flood.slice(1)]) (await p).release();
    expect(order).toEqual(['flood0', 'victim', 'flood1', 'flood2', 'flood3']);
  });

  it('passes a slot freed by a failed create on to the next waiter', async () => {
    h = harness({ maxEnvironments: 1 });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    h.engine.createGate = () => gate;
    h.engine.failures.push({ errorType: 'Runtime.ExitError', errorMessage: 'init crashed', trace: [] });
    const failing = h.pool.acquire(A, () => specFor(A));
    const waiting = lease(h.pool, B);
    open();
    expect((await failing).ok).toBe(false);
    expect(createdFor((await waiting).env)).toBe(B.key);
  });

  it('throws INVOKE_CAPACITY_EXHAUSTED when nothing is released in time', async () => {
    vi.useFakeTimers();
    h = harness({ maxEnvironments: 1, acquireTimeoutMs: 500 });
    const a = await lease(h.pool, A);
    const spec = vi.fn(() => specFor(B));
    const waiting = h.pool.acquire(B, spec).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(499);
    await vi.advanceTimersByTimeAsync(1);
    const err = await waiting;
    expect(isStratusError(err)).toBe(true);
    expect(err).toMatchObject({ code: 'INVOKE_CAPACITY_EXHAUSTED', status: 429, retryable: true, retryAfterSeconds: 1 });
    expect((err as Error).message).toMatch(/limit of 1 execution environments.*Retry the request, or raise/);
    expect(spec).not.toHaveBeenCalled();
    // The timed-out waiter left the queue: the release keeps the environment instead of handing it on.
    a.release();
    expect(h.pool.stats()).toMatchObject({ environments: 1, idle: 1 });
  });

  it('fails at once at capacity when acquireTimeoutMs is 0', async () => {
    h = harness({ maxEnvironments: 1, acquireTimeoutMs: 0 });
    await lease(h.pool, A);
    await expect(h.pool.acquire(B, () => specFor(B))).rejects.toMatchObject({ code: 'INVOKE_CAPACITY_EXHAUSTED' });
  });

  it('counts environments being created against capacity', async () => {
    h = harness({ maxEnvironments: 1, acquireTimeoutMs: 0 });
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    h.engine.createGate = () => gate;
    const creating = lease(h.pool, A);
    await expect(h.pool.acquire(B, () => specFor(B))).rejects.toMatchObject({ code: 'INVOKE_CAPACITY_EXHAUSTED' });
    open();
    expect((await creating).cold).toBe(true);
  });
});

describe('pool memory budget', () => {
  it('evicts least recently used idle environments after a create pushes the total over budget', async () => {
    h = harness({ memoryBudgetBytes: 2_500 });
    const a = await lease(h.pool, A);
    a.release();
    const b = await lease(h.pool, B);
    b.release();
    const c = await lease(h.pool, C); // 3 x 1000 bytes > 2500
    expect((a.env as FakeEnvironment).disposed).toBe(true);
    expect((b.env as FakeEnvironment).disposed).toBe(false);
    expect(h.pool.stats()).toMatchObject({ environments: 2, memoryBytes: 2_000 });
    c.release();
  });

  it('measures an environment again on release and evicts idle ones, never busy ones', async () => {
    h = harness({ memoryBudgetBytes: 3_500 });
    const a = await lease(h.pool, A);
    a.release();
    const b = await lease(h.pool, B);
    const c = await lease(h.pool, C);
    (b.env as FakeEnvironment).used = 10_000; // the invocation grew its heap
    b.release();
    // Over budget: idle a goes first (oldest), then b itself; busy c stays.
    expect((a.env as FakeEnvironment).disposed).toBe(true);
    expect((b.env as FakeEnvironment).disposed).toBe(true);
    expect((c.env as FakeEnvironment).disposed).toBe(false);
    expect(h.pool.stats()).toMatchObject({ environments: 1, busy: 1, memoryBytes: 1_000 });
  });

  it('keeps busy environments even when they alone exceed the budget', async () => {
    h = harness({ memoryBudgetBytes: 1_500 });
    const a = await lease(h.pool, A);
    const b = await lease(h.pool, B);
    expect(h.pool.stats()).toMatchObject({ environments: 2, busy: 2, memoryBytes: 2_000 });
    a.release(); // now idle and over budget: evicted
    expect((a.env as FakeEnvironment).disposed).toBe(true);
    b.release();
    expect(h.pool.stats()).toMatchObject({ environments: 1, idle: 1 });
  });
});
