import { register as globalRegistry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createTenantMetrics } from './index.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A strict reader of the text format: every line is a comment, blank, or `name{labels} value`. */
function parse(text: string): { samples: Sample[]; types: Record<string, string> } {
  const samples: Sample[] = [];
  const types: Record<string, string> = {};
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ')) continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
    if (type) {
      types[type[1]!] = type[2]!;
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    const body = m[2] ?? '';
    const consumed = [...body.matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?/g)];
    expect(consumed.map((c) => c[0]).join('')).toBe(body);
    for (const c of consumed) labels[c[1]!] = c[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

const base = { accountId: '111111111111', functionName: 'fn', outcome: 'success' as const, durationMs: 3, cold: false };

describe('prometheus()', () => {
  it('writes parseable text with the four series families and their labels', async () => {
    const m = createTenantMetrics({ tenantLabelCap: 5 });
    m.invoked({ ...base, tenantId: 'acme', cold: true });
    m.invoked({ ...base, tenantId: 'acme', outcome: 'error', durationMs: 40 });
    m.throttled({ accountId: '111111111111', functionName: 'fn', tenantId: 'acme', reason: 'concurrency' });
    m.invoked({ ...base, functionName: 'plain' });

    const { samples, types } = parse(await m.prometheus());
    expect(types).toMatchObject({
      stratus_invocations_total: 'counter',
      stratus_throttles_total: 'counter',
      stratus_cold_starts_total: 'counter',
      stratus_invocation_duration_seconds: 'histogram',
      stratus_tracked_tenants: 'gauge',
    });
    const find = (name: string, labels: Record<string, string>) => samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    const acme = { account: '111111111111', function: 'fn', tenant: 'acme' };
    expect(find('stratus_invocations_total', { ...acme, outcome: 'success' })?.value).toBe(1);
    expect(find('stratus_invocations_total', { ...acme, outcome: 'error' })?.value).toBe(1);
    expect(find('stratus_throttles_total', { ...acme, reason: 'concurrency' })?.value).toBe(1);
    expect(find('stratus_cold_starts_total', acme)?.value).toBe(1);
    expect(find('stratus_invocation_duration_seconds_bucket', { ...acme, le: '0.005' })?.value).toBe(1);
    expect(find('stratus_invocation_duration_seconds_bucket', { ...acme, le: '0.05' })?.value).toBe(2);
    expect(find('stratus_invocation_duration_seconds_bucket', { ...acme, le: '+Inf' })?.value).toBe(2);
    expect(find('stratus_invocation_duration_seconds_count', acme)?.value).toBe(2);
    expect(find('stratus_invocation_duration_seconds_sum', acme)?.value).toBeCloseTo(0.043);
    // Functions without tenant isolation use an empty tenant label.
    expect(find('stratus_invocations_total', { function: 'plain', tenant: '', outcome: 'success' })?.value).toBe(1);
    expect(find('stratus_tracked_tenants', {})?.value).toBe(1);
  });

  it('gives the first tenantLabelCap tenants of each function a label and folds the rest into _other', async () => {
    const m = createTenantMetrics({ tenantLabelCap: 2 });
    for (const tenantId of ['t1', 't2', 't3', 't4', 't1', 't4']) m.invoked({ ...base, tenantId });
    m.invoked({ ...base, functionName: 'fn2', tenantId: 't9' }); // the cap is per function
    m.throttled({ accountId: '111111111111', functionName: 'fn', tenantId: 't5', reason: 'rate' });

    const { samples } = parse(await m.prometheus());
    const invocations = samples.filter((s) => s.name === 'stratus_invocations_total' && s.labels.outcome === 'success');
    const byTenant = Object.fromEntries(invocations.filter((s) => s.labels.function === 'fn').map((s) => [s.labels.tenant, s.value]));
    expect(byTenant).toEqual({ t1: 2, t2: 1, _other: 3 });
    expect(invocations.filter((s) => s.labels.function === 'fn2').map((s) => s.labels.tenant)).toEqual(['t9']);
    expect(samples.find((s) => s.name === 'stratus_throttles_total' && s.labels.tenant === '_other' && s.labels.reason === 'rate')?.value).toBe(1);
    // Statistics are not capped: every tenant is still there by name.
    expect(
      m
        .tenantStats('111111111111', 'fn')
        .map((s) => s.tenantId)
        .sort(),
    ).toEqual(['t1', 't2', 't3', 't4', 't5']);
  });

  it('keeps a tenant label after its statistics were evicted, and folds a tenant named _other', async () => {
    const m = createTenantMetrics({ tenantLabelCap: 2, maxTrackedTenants: 1 });
    m.invoked({ ...base, tenantId: 'a' });
    m.invoked({ ...base, tenantId: '_other' });
    m.invoked({ ...base, tenantId: 'b' });
    m.invoked({ ...base, tenantId: 'a' });
    const { samples } = parse(await m.prometheus());
    const tenants = samples.filter((s) => s.name === 'stratus_invocations_total' && s.labels.outcome === 'success').map((s) => [s.labels.tenant, s.value]);
    expect(tenants).toEqual([
      ['a', 2],
      ['b', 1],
      ['_other', 1],
    ]);
  });

  it('reports the load governor at scrape time: utilization, the pacing rate (0 when not pacing) and paced admissions', async () => {
    let load = { utilization: 0.42, rate: null as number | null, paced: 0 };
    const m = createTenantMetrics({ tenantLabelCap: 5, load: () => load });
    const value = (samples: Sample[], name: string) => samples.find((s) => s.name === name)?.value;
    let { samples, types } = parse(await m.prometheus());
    expect(value(samples, 'stratus_event_loop_utilization')).toBe(0.42);
    expect(value(samples, 'stratus_admission_rate_limit')).toBe(0);
    expect(types).toMatchObject({ stratus_event_loop_utilization: 'gauge', stratus_admissions_paced_total: 'counter' });
    load = { utilization: 0.9, rate: 1234, paced: 17 };
    ({ samples } = parse(await m.prometheus()));
    expect(value(samples, 'stratus_admission_rate_limit')).toBe(1234);
    expect(value(samples, 'stratus_admissions_paced_total')).toBe(17);
    // Without a governor the family is simply absent.
    const bare = parse(await createTenantMetrics({ tenantLabelCap: 5 }).prometheus());
    expect(bare.samples.some((s) => s.name === 'stratus_event_loop_utilization')).toBe(false);
  });

  it('uses a registry of its own, never the global default one', async () => {
    const m = createTenantMetrics({ tenantLabelCap: 1 });
    m.invoked({ ...base, tenantId: 'x' });
    expect(await globalRegistry.metrics()).not.toContain('stratus_');
    // Two instances (two servers in one test process) do not collide on metric names.
    expect(() => createTenantMetrics({ tenantLabelCap: 1 })).not.toThrow();
    expect(m.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
  });
});
