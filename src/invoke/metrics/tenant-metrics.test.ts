import { describe, expect, it } from 'vitest';
import { createTenantMetrics } from './index.ts';
import type { InvokedEvent } from './index.ts';

const call = (tenantId: string | undefined, extra: Partial<InvokedEvent> = {}): InvokedEvent => ({
  accountId: '111111111111',
  functionName: 'fn',
  tenantId,
  outcome: 'success',
  durationMs: 10,
  cold: false,
  ...extra,
});

function manualClock(start = Date.parse('2025-01-02T03:04:05.000Z')) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

describe('tenantStats', () => {
  it('counts invocations, errors, cold starts and throttles per tenant, most invocations first', () => {
    const clock = manualClock();
    const m = createTenantMetrics({ tenantLabelCap: 10, clock });
    m.invoked(call('acme', { cold: true }));
    m.invoked(call('acme', { outcome: 'error' }));
    m.invoked(call('acme'));
    clock.advance(1000);
    m.invoked(call('globex', { cold: true }));
    m.throttled({ accountId: '111111111111', functionName: 'fn', tenantId: 'globex', reason: 'rate' });
    m.throttled({ accountId: '111111111111', functionName: 'fn', tenantId: 'initech', reason: 'concurrency' });

    expect(m.tenantStats('111111111111', 'fn')).toEqual([
      { tenantId: 'acme', invocations: 3, errors: 1, throttles: 0, coldStarts: 1, p50Ms: 10, p90Ms: 10, p99Ms: 10, lastSeen: '2025-01-02T03:04:05.000Z' },
      { tenantId: 'globex', invocations: 1, errors: 0, throttles: 1, coldStarts: 1, p50Ms: 10, p90Ms: 10, p99Ms: 10, lastSeen: '2025-01-02T03:04:06.000Z' },
      { tenantId: 'initech', invocations: 0, errors: 0, throttles: 1, coldStarts: 0, p50Ms: 0, p90Ms: 0, p99Ms: 0, lastSeen: '2025-01-02T03:04:06.000Z' },
    ]);
  });

  it('computes percentiles from the durations of each tenant', () => {
    const m = createTenantMetrics({ tenantLabelCap: 1 });
    for (let i = 1; i <= 1000; i++) m.invoked(call('slow', { durationMs: i }));
    for (let i = 0; i < 100; i++) m.invoked(call('fast', { durationMs: 2 }));
    const [slow, fast] = m.tenantStats('111111111111', 'fn');
    // Within the histogram's few-percent accuracy of the true 500.5, 900.5 and 990.5 ms.
    expect(Math.abs(slow!.p50Ms - 500.5) / 500.5).toBeLessThan(0.03);
    expect(Math.abs(slow!.p90Ms - 900.5) / 900.5).toBeLessThan(0.03);
    expect(Math.abs(slow!.p99Ms - 990.5) / 990.5).toBeLessThan(0.03);
    expect(fast).toMatchObject({ tenantId: 'fast', p50Ms: 2, p99Ms: 2 });
  });

  it('keeps functions and accounts apart, and has no tenants for functions without tenant isolation', () => {
    const m = createTenantMetrics({ tenantLabelCap: 10 });
    m.invoked(call('acme'));
    m.invoked(call('acme', { functionName: 'other' }));
    m.invoked(call('acme', { accountId: '222222222222' }));
    m.invoked(call(undefined, { functionName: 'plain' }));
    expect(m.tenantStats('111111111111', 'fn').map((s) => s.invocations)).toEqual([1]);
    expect(m.tenantStats('111111111111', 'plain')).toEqual([]);
    expect(m.tenantStats('111111111111', 'unknown')).toEqual([]);
  });

  it('tracks at most maxTrackedTenants, dropping the least recently seen across all functions', () => {
    const m = createTenantMetrics({ tenantLabelCap: 100, maxTrackedTenants: 3 });
    m.invoked(call('a'));
    m.invoked(call('b'));
    m.invoked(call('c', { functionName: 'fn2' }));
    m.invoked(call('a')); // a is now more recent than b
    m.invoked(call('d')); // evicts b, the least recently seen
    expect(
      m
        .tenantStats('111111111111', 'fn')
        .map((s) => s.tenantId)
        .sort(),
    ).toEqual(['a', 'd']);
    expect(m.tenantStats('111111111111', 'fn2').map((s) => s.tenantId)).toEqual(['c']);
    m.throttled({ accountId: '111111111111', functionName: 'fn2', tenantId: 'c', reason: 'rate' }); // a throttle counts as seen
    m.invoked(call('e')); // evicts a
    expect(
      m
        .tenantStats('111111111111', 'fn')
        .map((s) => s.tenantId)
        .sort(),
    ).toEqual(['d', 'e']);
    // A tenant that comes back after eviction starts over.
    m.invoked(call('b'));
    expect(m.tenantStats('111111111111', 'fn').find((s) => s.tenantId === 'b')).toMatchObject({ invocations: 1 });
  });

  it('gives each tenant its own durations, also past one slab of counts and after eviction recycles them', () => {
    const m = createTenantMetrics({ tenantLabelCap: 0, maxTrackedTenants: 2000 });
    for (let i = 0; i < 1500; i++) m.invoked(call(`t${i}`, { durationMs: 1 + i }));
    const stats = m.tenantStats('111111111111', 'fn');
    expect(stats).toHaveLength(1500);
    expect(stats.every((s) => s.p50Ms === Number(s.tenantId.slice(1)) + 1)).toBe(true);

    const small = createTenantMetrics({ tenantLabelCap: 0, maxTrackedTenants: 1 });
    small.invoked(call('slow', { durationMs: 500 }));
    small.invoked(call('fast', { durationMs: 2 })); // takes over slow's counts, which must start empty
    expect(small.tenantStats('111111111111', 'fn')).toMatchObject([{ tenantId: 'fast', invocations: 1, p50Ms: 2, p99Ms: 2 }]);
  });

  it('refuses options that would make it unbounded or meaningless', () => {
    expect(() => createTenantMetrics({ tenantLabelCap: -1 })).toThrow(/tenantLabelCap/);
    expect(() => createTenantMetrics({ tenantLabelCap: 1.5 })).toThrow(/tenantLabelCap/);
    expect(() => createTenantMetrics({ tenantLabelCap: 1, maxTrackedTenants: 0 })).toThrow(/maxTrackedTenants/);
  });
});
