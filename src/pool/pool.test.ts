/** @module Tests for acquire/release: warm reuse, scale-out, cold creates, failures, fatal releases and stats. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isStratusError } from '../shared/errors.ts';
import { createdFor, harness, keyOf, lease, specFor, type FakeEnvironment, type Harness } from './fake-engine.test-support.ts';

const A = keyOf('alpha');
const B = keyOf('beta');

let h: Harness;
afterEach(async () => {
  await h?.pool.close();
});

describe('pool acquire and release', () => {
  it('returns the same environment warm after a release', async () => {
    h = harness();
    const first = await lease(h.pool, A);
    expect(first.cold).toBe(true);
    expect(first.initDurationMs).toBe(7);
    first.release({});
    const second = await lease(h.pool, A);
    expect(second.env).toBe(first.env);
    expect(second.cold).toBe(false);
    expect(second.initDurationMs).toBe(0);
  });

  it('returns the most recently used idle environment of the partition', async () => {
    h = harness();
    const [one, two] = await Promise.all([lease(h.pool, A), lease(h.pool, A)]);
    one.release();
    two.release();
    expect((await lease(h.pool, A)).env).toBe(two.env);
  });

  it('gives concurrent acquires of one partition their own environments', async () => {
    h = harness();
    const leases = await Promise.all([lease(h.pool, A), lease(h.pool, A), lease(h.pool, A)]);
    expect(new Set(leases.map((l) => l.env)).size).toBe(3);
    expect(leases.every((l) => l.cold)).toBe(true);
    expect(h.pool.stats()).toMatchObject({ environments: 3, busy: 3, idle: 0, partitions: 1 });
  });

  it('never hands one partition an idle environment of another', async () => {
    h = harness();
    const a = await lease(h.pool, A);
    a.release();
    const b = await lease(h.pool, B);
    expect(b.cold).toBe(true);
    expect(b.env).not.toBe(a.env);
    expect(createdFor(b.env)).toBe(B.key);
  });

  it('calls spec() only when it creates an environment', async () => {
    h = harness();
    const spec = vi.fn(() => specFor(A));
    const first = await lease(h.pool, A, spec);
    first.release();
    const warm = await lease(h.pool, A, spec);
    expect(spec).toHaveBeenCalledTimes(1);
    const concurrent = await lease(h.pool, A, spec);
    expect(spec).toHaveBeenCalledTimes(2);
    warm.release();
    concurrent.release();
  });

  it('returns an init failure as a result and does not count it against capacity', async () => {
    h = harness({ maxEnvironments: 1 });
    h.engine.failures.push({ errorType: 'Runtime.ImportModuleError', errorMessage: 'boom', trace: [] });
    const failed = await h.pool.acquire(A, () => specFor(A));
    expect(failed).toEqual({
      ok: false,
      error: { errorType: 'Runtime.ImportModuleError', errorMessage: 'boom', trace: [] },
      logs: expect.stringContaining('INIT failed'),
    });
    expect(h.pool.stats()).toMatchObject({ environments: 0, created: 0 });
    // The only slot is free again: the next acquire creates without waiting.
    expect((await lease(h.pool, A)).cold).toBe(true);
  });

  it('rejects an unknown runtime with RUNTIME_UNSUPPORTED and frees the slot', async () => {
    h = harness({ maxEnvironments: 1, acquireTimeoutMs: 0 });
    const err = await h.pool.acquire(A, () => specFor(A, 'cobol-85')).catch((e: unknown) => e);
    expect(isStratusError(err) && err.code).toBe('RUNTIME_UNSUPPORTED');
    expect((err as Error).message).toContain('cobol-85');
    expect((await lease(h.pool, A)).cold).toBe(true);
  });

  it('frees the slot when spec() throws', async () => {
    h = harness({ maxEnvironments: 1, acquireTimeoutMs: 0 });
    await expect(h.pool.acquire(A, () => Promise.reject(new Error('no code')))).rejects.toThrow('no code');
    expect((await lease(h.pool, A)).cold).toBe(true);
  });

  it('disposes an environment released with a fatal result', async () => {
    h = harness();
    const first = await lease(h.pool, A);
    first.release({ fatal: 'timeout' });
    expect((first.env as FakeEnvironment).disposed).toBe(true);
    const next = await lease(h.pool, A);
    expect(next.cold).toBe(true);
    expect(next.env).not.toBe(first.env);
    expect(h.pool.stats()).toMatchObject({ environments: 1, created: 2, evicted: 1 });
  });

  it('ignores a second release of the same lease', async () => {
    h = harness();
    const first = await lease(h.pool, A);
    first.release();
    const second = await lease(h.pool, A);
    expect(second.env).toBe(first.env);
    // A stale release must not put the environment back while `second` is using it.
    first.release();
    first.release({ fatal: 'crash' });
    const third = await lease(h.pool, A);
    expect(third.env).not.toBe(second.env);
    expect((second.env as FakeEnvironment).disposed).toBe(false);
    expect(h.pool.stats()).toMatchObject({ busy: 2, idle: 0 });
  });

  it('reports counts and measured memory in stats()', async () => {
    h = harness();
    const a1 = await lease(h.pool, A);
    const a2 = await lease(h.pool, A);
    const b1 = await lease(h.pool, B);
    a1.release();
    (b1.env as FakeEnvironment).used = 4_000;
    expect(h.pool.stats()).toEqual({ environments: 3, idle: 1, busy: 2, partitions: 2, memoryBytes: 6_000, reservedBytes: 3 * 128 * 1048576, created: 3, evicted: 0 });
    a2.release({ fatal: 'memory' });
    b1.release();
  });

  it('logs a failing dispose instead of throwing', async () => {
    h = harness();
    const first = await lease(h.pool, A);
    (first.env as FakeEnvironment).failDispose = true;
    first.release({ fatal: 'crash' });
    await h.pool.close();
    expect(h.warnings).toEqual([{ obj: expect.objectContaining({ environmentId: first.env.id }), msg: expect.stringContaining('dispose') }]);
  });
});
