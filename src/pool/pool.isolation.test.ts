/** @module Randomized interleavings of acquire, release, failure and eviction: an environment never leaves its partition. */
import { describe, expect, it } from 'vitest';
import type { Environment } from '../runtime/index.ts';
import type { Partition } from '../shared/identity.ts';
import { createdFor, harness, keyOf, specFor, type FakeEnvironment } from './fake-engine.test-support.ts';

/** mulberry32: a tiny seeded PRNG, so a failing interleaving can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Yields to the event loop a few times, so creates, releases and acquires of other workers interleave. */
async function ticks(n: number): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
}

// Same function under different tenants and revisions: keys that differ in only one part must stay apart.
const KEYS: Partition[] = [keyOf('alpha'), keyOf('alpha', 'tenant-1'), keyOf('alpha', 'tenant-2'), keyOf('beta'), keyOf('beta', 'tenant-1'), keyOf('gamma')];

async function run(seed: number): Promise<void> {
  const random = prng(seed);
  const h = harness({ maxEnvironments: 4, memoryBudgetBytes: 3_500, acquireTimeoutMs: 30_000 });
  h.engine.createGate = () => ticks(Math.floor(random() * 3));
  const held = new Set<Environment>();
  const violations: string[] = [];
  let leases = 0;

  const worker = async (cycles: number) => {
    for (let i = 0; i < cycles; i++) {
      const key = KEYS[Math.floor(random() * KEYS.length)]!;
      if (random() < 0.05) h.engine.failures.push({ errorType: 'Runtime.ExitError', errorMessage: 'flaky init', trace: [] });
      const result = await h.pool.acquire(key, () => specFor(key));
      if (!result.ok) continue;
      const { env } = result.lease;
      leases++;
      if (createdFor(env) !== key.key) violations.push(`seed ${seed}: ${env.id} made for ${createdFor(env)} leased to ${key.key}`);
      if (held.has(env)) violations.push(`seed ${seed}: ${env.id} leased twice at once`);
      if ((env as FakeEnvironment).disposeCalls > 0) violations.push(`seed ${seed}: ${env.id} leased after dispose`);
      held.add(env);
      await ticks(Math.floor(random() * 4));
      if (random() < 0.03) await h.pool.evictFunction(KEYS[Math.floor(random() * KEYS.length)]!.fn);
      held.delete(env);
      const fatal = random() < 0.1 ? 'crash' : undefined;
      result.lease.release({ fatal });
      if (random() < 0.1) result.lease.release(); // stray double release
    }
  };
  await Promise.all(Array.from({ length: 12 }, () => worker(60)));

  expect(violations).toEqual([]);
  expect(leases).toBeGreaterThan(600);
  const stats = h.pool.stats();
  expect(stats.busy).toBe(0);
  expect(stats.environments).toBeLessThanOrEqual(4);
  expect(stats.environments).toBe(stats.created - stats.evicted);
  expect(stats.created).toBe(h.engine.envs.length);
  expect(h.engine.envs.filter((e) => e.disposeCalls === 0)).toHaveLength(stats.environments);
  expect(h.engine.envs.every((e) => e.disposeCalls <= 1)).toBe(true);
  await h.pool.close();
  expect(h.engine.envs.every((e) => e.disposed)).toBe(true);
}

describe('partition isolation under random interleavings', () => {
  for (const seed of [1, 7, 42, 1234, 99991]) {
    it(`keeps every environment in the partition it was created for (seed ${seed})`, () => run(seed));
  }
});
