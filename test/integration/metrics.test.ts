// Per-tenant metrics as an operator and an account see them: Prometheus /metrics with the tenant label cap, and the tenants route.
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { signedFetch, type RawResponse } from '../support/signed-fetch.ts';
import { nodeStats, until } from '../support/until.ts';

const SOURCE = `
exports.handler = async (event) => {
  if (event.fail) throw new Error('asked to fail');
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  return { ok: true };
};`;

/** Four tenants past a cap of 3: t1-t3 keep their label, t4 and t5 fold into _other. */
const CAP = 3;
const CALLS: [tenant: string, times: number][] = [
  ['t1', 3],
  ['t2', 2],
  ['t3', 1],
  ['t4', 1],
  ['t5', 2],
];

let server: TestServer;
let lambda: LambdaClient;
let call: (method: string, path: string, body?: string, headers?: Record<string, string>) => Promise<RawResponse>;

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
      if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

async function scrape(): Promise<Sample[]> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return parseSamples(await res.text());
}

const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

const invoke = (tenant: string | undefined, event: object = {}, fn = 'metered') =>
  lambda.send(new InvokeCommand({ FunctionName: fn, TenantId: tenant, Payload: Buffer.from(JSON.stringify(event)) }));

beforeAll(async () => {
  server = await startTestServer({ metricsTenantLabelCap: CAP });
  lambda = server.lambda();
  call = (method, path, body, headers) => signedFetch(server.url, method, path, body, { credentials: server.rootCredentials, headers });
  const zip = zipOf({ 'index.js': SOURCE });
  await lambda.send(
    new CreateFunctionCommand({ FunctionName: 'metered', Code: { ZipFile: zip }, Handler: 'index.handler', Role: 'r', TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } }),
  );
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'plain', Code: { ZipFile: zip }, Handler: 'index.handler', Role: 'r' }));
  // In order, one at a time: which tenants get a label depends on who is seen first.
  for (const [tenant, times] of CALLS) for (let i = 0; i < times; i++) await invoke(tenant);
  const failed = await invoke('t1', { fail: true });
  expect(failed.FunctionError).toBe('Unhandled');
  await invoke(undefined, {}, 'plain');
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  await server?.stop();
});

describe('GET /metrics', () => {
  it('has a series per tenant up to the cap, folds the rest into _other, and counts a thrown error as an error', async () => {
    const samples = await scrape();
    const fn = { function: 'metered' };
    const success = samples.filter((s) => s.name === 'stratus_invocations_total' && s.labels.function === 'metered' && s.labels.outcome === 'success');
    expect(Object.fromEntries(success.map((s) => [s.labels.tenant, s.value]))).toEqual({ t1: 3, t2: 2, t3: 1, _other: 3 });
    expect(value(samples, 'stratus_invocations_total', { ...fn, tenant: 't1', outcome: 'error' })).toBe(1);
    expect(value(samples, 'stratus_invocations_total', { ...fn, tenant: 't2', outcome: 'error' })).toBe(0);
    expect(samples.some((s) => s.labels.tenant === 't4' || s.labels.tenant === 't5')).toBe(false);

    // Every tenant started cold once: its own label or the fold.
    expect(value(samples, 'stratus_cold_starts_total', { ...fn, tenant: 't1' })).toBeGreaterThanOrEqual(1);
    expect(value(samples, 'stratus_cold_starts_total', { ...fn, tenant: '_other' })).toBeGreaterThanOrEqual(2);
    expect(value(samples, 'stratus_invocation_duration_seconds_count', { ...fn, tenant: 't1' })).toBe(4);
    expect(value(samples, 'stratus_invocation_duration_seconds_bucket', { ...fn, tenant: 't1', le: '+Inf' })).toBe(4);

    // The account label is the caller's account; functions without tenants use tenant="".
    const account = samples.find((s) => s.name === 'stratus_invocations_total' && s.labels.function === 'metered')!.labels.account;
    expect(account).toMatch(/^\d{12}$/);
    expect(value(samples, 'stratus_invocations_total', { function: 'plain', tenant: '', outcome: 'success' })).toBe(1);
  });

  it('is served without a SigV4 signature to a loopback client', async () => {
    const res = await fetch(`${server.url}/metrics`, { headers: { accept: 'text/plain' } });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE stratus_invocations_total counter');
  });
});

describe('GET /stratus/v1/functions/{name}/tenants', () => {
  it('returns every tenant by name, most invocations first, whatever the label cap', async () => {
    const res = await call('GET', '/stratus/v1/functions/metered/tenants');
    expect(res.status).toBe(200);
    const body = res.json() as { FunctionName: string; Tenants: Record<string, unknown>[] };
    expect(body.FunctionName).toBe('metered');
    expect(body.Tenants.map((t) => t.TenantId)).toEqual(['t1', 't2', 't5', 't3', 't4']);
    const t1 = body.Tenants[0]!;
    expect(t1).toMatchObject({ TenantId: 't1', Invocations: 4, Errors: 1, Throttles: 0 });
    expect(t1.ColdStarts).toBeGreaterThanOrEqual(1);
    expect(t1.P50Ms).toBeGreaterThan(0);
    expect(t1.P90Ms as number).toBeGreaterThanOrEqual(t1.P50Ms as number);
    expect(t1.P99Ms as number).toBeGreaterThanOrEqual(t1.P90Ms as number);
    expect(Date.parse(t1.LastSeen as string)).toBeGreaterThan(Date.now() - 60_000);

    const two = await call('GET', '/stratus/v1/functions/metered/tenants?MaxItems=2');
    expect((two.json() as { Tenants: unknown[] }).Tenants).toHaveLength(2);
  });

  it('counts tenant-limit throttles for the tenant and in /metrics', async () => {
    expect((await call('PUT', '/stratus/v1/functions/metered/tenancy-limits', JSON.stringify({ MaxConcurrency: 1 }))).status).toBe(200);
    const slow = invoke('t2', { sleepMs: 400 });
    // Leased past the limits stage: the tenant's one concurrency slot is held.
    await until('the slow call runs', async () => (await nodeStats(server)).BusyEnvironments === 1);
    const refused = await call('POST', '/2015-03-31/functions/metered/invocations', '{}', { 'x-amz-tenant-id': 't2' });
    expect(refused.status).toBe(429);
    await slow;
    await call('PUT', '/stratus/v1/functions/metered/tenancy-limits', '{}');

    const t2 = ((await call('GET', '/stratus/v1/functions/metered/tenants')).json() as { Tenants: Record<string, unknown>[] }).Tenants.find((t) => t.TenantId === 't2');
    expect(t2).toMatchObject({ Invocations: 3, Throttles: 1 });
    expect(value(await scrape(), 'stratus_throttles_total', { function: 'metered', tenant: 't2', reason: 'concurrency' })).toBe(1);
  });

  it('answers 404 for a function the caller does not have, and needs a signature', async () => {
    const missing = await call('GET', '/stratus/v1/functions/nope/tenants');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');

    const created = await call('POST', '/stratus/v1/accounts', JSON.stringify({ Name: 'other-saas' }));
    const keys = created.json() as { AccessKeyId: string; SecretAccessKey: string };
    const foreign = await signedFetch(server.url, 'GET', '/stratus/v1/functions/metered/tenants', undefined, {
      credentials: { accessKeyId: keys.AccessKeyId, secretAccessKey: keys.SecretAccessKey },
    });
    expect(foreign.status).toBe(404);

    const unsigned = await signedFetch(server.url, 'GET', '/stratus/v1/functions/metered/tenants', undefined, { credentials: server.rootCredentials, unsigned: true });
    expect(unsigned.status).toBe(403);
  });
});
