/** @module Tests of the build gate: per-account and node limits, round robin by account, bounded waits, cancellation. */
import { describe, expect, it } from 'vitest';
import { isStratusError } from '../shared/errors.ts';
import { createBuildGate } from './build-gate.ts';

/** A build that ends when the test says so. */
function held() {
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  return { work: () => done, finish };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('build gate', () => {
  it('runs at most perAccount builds of one account, and lets another account use the free slot', async () => {
    const gate = createBuildGate({ slots: 2, perAccount: 1, queuePerAccount: 8, waitMs: 10_000 });
    const started: string[] = [];
    const a1 = held();
    const a2 = held();
    const b1 = held();
    const runs = [gate.run('a', () => (started.push('a1'), a1.work())), gate.run('a', () => (started.push('a2'), a2.work())), gate.run('b', () => (started.push('b1'), b1.work()))];
    await tick();
    expect(started).toEqual(['a1', 'b1']);
    expect(gate.stats()).toEqual({ running: 2, waiting: 1 });
    a1.finish();
    await tick();
    expect(started).toEqual(['a1', 'b1', 'a2']);
    a2.finish();
    b1.finish();
    await Promise.all(runs);
    expect(gate.stats()).toEqual({ running: 0, waiting: 0 });
  });

  it('serves waiting accounts in turn, not in arrival order', async () => {
    const gate = createBuildGate({ slots: 1, perAccount: 1, queuePerAccount: 8, waitMs: 10_000 });
    const order: string[] = [];
    const first = held();
    const runs = [gate.run('x', () => first.work())];
    for (const who of ['a', 'a', 'a', 'b']) runs.push(gate.run(who, async () => void order.push(who)));
    first.finish();
    await Promise.all(runs);
    expect(order).toEqual(['a', 'b', 'a', 'a']);
  });

  it('refuses at once past the per-account queue, with 429 and Retry-After', async () => {
    const gate = createBuildGate({ slots: 1, perAccount: 1, queuePerAccount: 1, waitMs: 10_000 });
    const h = held();
    const running = gate.run('a', h.work);
    const queued = gate.run('a', async () => 'second');
    const refused = await gate.run('a', async () => 'third').catch((e: unknown) => e);
    expect(isStratusError(refused) && refused.code).toBe('REQUEST_THROTTLED');
    expect(isStratusError(refused) && refused.retryAfterSeconds).toBeGreaterThan(0);
    h.finish();
    await running;
    expect(await queued).toBe('second');
  });

  it('turns a waiter away after its wait bound, and drops a waiter whose client went away', async () => {
    const gate = createBuildGate({ slots: 1, perAccount: 1, queuePerAccount: 8, waitMs: 20 });
    const h = held();
    const running = gate.run('a', h.work);
    const late = await gate.run('b', async () => 1).catch((e: unknown) => e);
    expect(isStratusError(late) && late.code).toBe('REQUEST_THROTTLED');
    const controller = new AbortController();
    const gone = gate.run('c', async () => 1, controller.signal).catch((e: unknown) => e);
    controller.abort();
    const error = await gone;
    expect(isStratusError(error) && error.code).toBe('REQUEST_ABORTED');
    expect(gate.stats()).toEqual({ running: 1, waiting: 0 });
    h.finish();
    await running;
  });

  it('frees the slot when a build throws', async () => {
    const gate = createBuildGate({ slots: 1, perAccount: 1, queuePerAccount: 8, waitMs: 1_000 });
    await expect(gate.run('a', async () => Promise.reject(new Error('bad zip')))).rejects.toThrow('bad zip');
    await expect(gate.run('a', async () => 'next')).resolves.toBe('next');
  });
});
