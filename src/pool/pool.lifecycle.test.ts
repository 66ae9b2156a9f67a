/** @module Tests for environment lifetimes: keep-alive sweeps, evictFunction and close(). */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isStratusError } from '../shared/errors.ts';
import { createdFor, harness, keyOf, lease, settled, specFor, type FakeEnvironment, type Harness } from './fake-engine.test-support.ts';

const A = keyOf('alpha');
const B = keyOf('beta');

let h: Harness;
afterEach(async () => {
  vi.useRealTimers();
  await h?.pool.close();
});

describe('keep-alive', () => {
  it('disposes environments idle for longer than keepAliveMs, measured on the injected clock', async () => {
    vi.useFakeTimers();
    h = harness({ keepAliveMs: 60_000 }); // sweeps every 15 s
    const old = await lease(h.pool, A);
    old.release();
    h.clock.advance(50_000);
    const fresh = await lease(h.pool, B);
    fresh.release();

    // The timers fire, but on the pool's clock `old` has only been idle for 50 s.
    await vi.advanceTimersByTimeAsync(15_000);
    expect((old.env as FakeEnvironment).disposed).toBe(false);

    h.clock.advance(10_001);
    await vi.advanceTimersByTimeAsync(15_000);
    expect((old.env as FakeEnvironment).disposed).toBe(true);
    expect((fresh.env as FakeEnvironment).disposed).toBe(false);
    expect(h.pool.stats()).toMatchObject({ environments: 1, partitions: 1, evicted: 1 });

    h.clock.advance(60_000);
    await vi.advanceTimersByTimeAsync(15_000);
    expect((fresh.env as FakeEnvironment).disposed).toBe(true);
    expect(h.pool.stats()).toMatchObject({ environments: 0, partitions: 0 });
  });

  it('never sweeps a busy environment, and restarts its idle age at release', async () => {
    vi.useFakeTimers();
    h = harness({ keepAliveMs: 60_000 });
    const busy = await lease(h.pool, A);
    h.clock.advance(120_000);
    await vi.advanceTimersByTimeAsync(30_000);
    expect((busy.env as FakeEnvironment).disposed).toBe(false);
    busy.release();
    await vi.advanceTimersByTimeAsync(30_000);
    expect((busy.env as FakeEnvironment).disposed).toBe(false);
    expect((await lease(h.pool, A)).env).toBe(busy.env);
  });
});

describe('evictFunction', () => {
  it('disposes idle environments of the function now (every tenant) and keeps the others', async () => {
    h = harness();
    const a = await lease(h.pool, A);
    const aTenant = await lease(h.pool, keyOf('alpha', 'tenant-1'));
    const b = await lease(h.pool, B);
    const otherAccount = await lease(h.pool, keyOf('alpha', undefined, '999999999999'));
    for (const l of [a, aTenant, b, otherAccount]) l.release();
    await h.pool.evictFunction(A.fn);
    expect((a.env as FakeEnvironment).disposed).toBe(true);
    expect((aTenant.env as FakeEnvironment).disposed).toBe(true);
    expect((b.env as FakeEnvironment).disposed).toBe(false);
    expect((otherAccount.env as FakeEnvironment).disposed).toBe(false);
    expect((await lease(h.pool, A)).cold).toBe(true);
    expect((await lease(h.pool, B)).env).toBe(b.env);
  });

  it('disposes a matching busy environment when it is released instead of keeping it', async () => {
    h = harness();
    const a = await lease(h.pool, A);
    await h.pool.evictFunction(A.fn);
    expect((a.env as FakeEnvironment).disposed).toBe(false); // still running its invocation
    // A new acquire of the same key does not get the doomed environment, nor wait for it.
    const other = await lease(h.pool, A);
    expect(other.env).not.toBe(a.env);
    a.release();
    expect((a.env as FakeEnvironment).disposed).toBe(true);
    other.release();
    expect((await lease(h.pool, A)).env).toBe(other.env);
  });

  it('dooms an environment whose create was in flight when the partition was evicted', async () => {
    h = harness();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let entered!: () => void;
    const inCreate = new Promise<void>((r) => (entered = r));
    h.engine.createGate = () => (entered(), gate);
    const creating = lease(h.pool, A);
    await inCreate;
    await h.pool.evictFunction(A.fn);
    open();
    const a = await creating;
    a.release();
    expect((a.env as FakeEnvironment).disposed).toBe(true);
  });

  it('awaits the disposals it starts', async () => {
    h = harness();
    const a = await lease(h.pool, A);
    let finish!: () => void;
    (a.env as FakeEnvironment).disposeGate = new Promise((r) => (finish = r));
    a.release();
    let done = false;
    const evicting = h.pool.evictFunction(A.fn).then(() => (done = true));
    await settled();
    expect((a.env as FakeEnvironment).disposeCalls).toBe(1); // started, held at its gate
    expect(done).toBe(false);
    finish();
    await evicting;
    expect((a.env as FakeEnvironment).disposed).toBe(true);
  });
});

describe('close', () => {
  it('disposes idle environments, disposes busy ones on release and rejects later acquires', async () => {
    h = harness();
    const idle = await lease(h.pool, A);
    const busy = await lease(h.pool, B);
    idle.release();
    await h.pool.close();
    expect((idle.env as FakeEnvironment).disposed).toBe(true);
    expect((busy.env as FakeEnvironment).disposed).toBe(false);
    busy.release();
    expect((busy.env as FakeEnvironment).disposed).toBe(true);
    const err = await h.pool.acquire(A, () => specFor(A)).catch((e: unknown) => e);
    expect(isStratusError(err) && err.message).toMatch(/shutting down/);
    expect(h.pool.stats()).toMatchObject({ environments: 0 });
  });

  it('rejects acquires waiting for capacity with a clear error', async () => {
    h = harness({ maxEnvironments: 1, acquireTimeoutMs: 60_000 });
    await lease(h.pool, A);
    const waiting = h.pool.acquire(B, () => specFor(B)).catch((e: unknown) => e);
    await h.pool.close();
    const err = await waiting;
    expect(isStratusError(err) && err.message).toMatch(/pool is closed.*shutting down/);
  });

  it('waits for disposals in flight before resolving', async () => {
    h = harness();
    const a = await lease(h.pool, A);
    let finish!: () => void;
    (a.env as FakeEnvironment).disposeGate = new Promise((r) => (finish = r));
    a.release();
    let closed = false;
    const closing = h.pool.close().then(() => (closed = true));
    await settled();
    expect((a.env as FakeEnvironment).disposeCalls).toBe(1); // started, held at its gate
    expect(closed).toBe(false);
    finish();
    await closing;
    expect((a.env as FakeEnvironment).disposed).toBe(true);
  });

  it('disposes an environment whose create finishes after close', async () => {
    h = harness();
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let entered!: () => void;
    const inCreate = new Promise<void>((r) => (entered = r));
    h.engine.createGate = () => (entered(), gate);
    const creating = h.pool.acquire(A, () => specFor(A)).catch((e: unknown) => e);
    await inCreate;
    await h.pool.close();
    open();
    expect(await creating).toMatchObject({ code: 'INTERNAL' });
    await h.pool.close();
    expect(h.engine.envs).toHaveLength(1);
    expect(h.engine.envs[0]?.disposed).toBe(true);
    expect(createdFor(h.engine.envs[0]!)).toBe(A.key);
  });

  it('stops the keep-alive timer', async () => {
    vi.useFakeTimers();
    h = harness();
    expect(vi.getTimerCount()).toBe(1);
    await h.pool.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
