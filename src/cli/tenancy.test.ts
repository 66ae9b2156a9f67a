import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatMs } from './commands/tenants.ts';
import { harness } from './harness.test-support.ts';

const notFound = { status: 404, headers: { 'x-amzn-ErrorType': 'ResourceNotFoundException' }, json: { message: 'Function not found: shop' } };
const config = (extra: Record<string, unknown> = {}) => ({ FunctionName: 'shop', Runtime: 'stratus-isolate', Handler: 'index.handler', MemorySize: 128, Timeout: 3, ...extra });
const isolated = { TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } };

describe('stratus CLI tenancy commands (against a scripted server)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-cli-tenancy-'));
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app', 'index.js'), 'export const handler = async () => 1;');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('deploy --tenant-isolation creates the function with TenancyConfig PER_TENANT', async () => {
    const h = harness(dir, (req) => (req.method === 'GET' ? notFound : { status: 201, json: config(isolated) }));
    expect(await h.run('deploy', 'app', '--name', 'shop', '--tenant-isolation')).toBe(0);
    expect(JSON.parse(h.requests[1]!.body)).toMatchObject({ FunctionName: 'shop', TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } });
    expect(h.stdout()).toMatch(/tenancy: +PER_TENANT\n/);

    const plain = harness(dir, (req) => (req.method === 'GET' ? notFound : { status: 201, json: config() }));
    expect(await plain.run('deploy', 'app', '--name', 'shop')).toBe(0);
    expect(JSON.parse(plain.requests[1]!.body)).not.toHaveProperty('TenancyConfig');
  });

  it('deploy --tenant-isolation of an isolated function updates it without sending TenancyConfig', async () => {
    const h = harness(dir, (req) => (req.method === 'GET' ? { json: { Configuration: config(isolated) } } : { json: config(isolated) }));
    expect(await h.run('deploy', 'app', '--name', 'shop', '--tenant-isolation', '--memory', '256')).toBe(0);
    expect(h.requests.map((r) => `${r.method} ${r.url.pathname}`)).toEqual([
      'GET /2015-03-31/functions/shop',
      'PUT /2015-03-31/functions/shop/code',
      'PUT /2015-03-31/functions/shop/configuration',
    ]);
    expect(JSON.parse(h.requests[2]!.body)).toEqual({ MemorySize: 256 });
  });

  it('deploy refuses, before uploading, a tenancy flag that disagrees with the existing function', async () => {
    const toPlain = harness(dir, () => ({ json: { Configuration: config() } }));
    expect(await toPlain.run('deploy', 'app', '--name', 'shop', '--tenant-isolation')).toBe(1);
    expect(toPlain.stderr()).toBe(
      'error: function shop exists without tenant isolation, and tenancy is fixed when a function is created: drop --tenant-isolation to update it, or deploy under a new name to create an isolated one\n',
    );
    expect(toPlain.requests.map((r) => r.method)).toEqual(['GET']);

    const toIsolated = harness(dir, () => ({ json: { Configuration: config(isolated) } }));
    expect(await toIsolated.run('deploy', 'app', '--name', 'shop')).toBe(1);
    expect(toIsolated.stderr()).toMatch(/^error: function shop has tenant isolation \(PER_TENANT\), and tenancy is fixed when a function is created: add --tenant-isolation/);
    expect(toIsolated.requests.map((r) => r.method)).toEqual(['GET']);
  });

  it('invoke --tenant sends X-Amz-Tenant-Id, and no such header without it', async () => {
    const h = harness(dir, () => ({ text: '{"ok":true}' }));
    expect(await h.run('invoke', 'shop', '--tenant', 'acme-corp', '--json')).toBe(0);
    expect(await h.run('invoke', 'shop', '--json')).toBe(0);
    expect(h.requests[0]!.headers.get('x-amz-tenant-id')).toBe('acme-corp');
    // Signed like every other header, so a proxy cannot swap the tenant.
    expect(h.requests[0]!.headers.get('authorization')).toMatch(/SignedHeaders=[^,]*x-amz-tenant-id/);
    expect(h.requests[1]!.headers.has('x-amz-tenant-id')).toBe(false);
  });

  it('tenants stats prints a right-aligned table, --json the server answer, and a note when empty', async () => {
    const tenants = [
      { TenantId: 'acme', Invocations: 1520, Errors: 3, Throttles: 12, ColdStarts: 2, P50Ms: 4.217, P90Ms: 9, P99Ms: 131.6, LastSeen: '2025-01-01T00:00:00.000Z' },
      { TenantId: 'globex', Invocations: 7, Errors: 0, Throttles: 0, ColdStarts: 1, P50Ms: 0.42, P90Ms: 1, P99Ms: 1.5, LastSeen: '2025-01-01T00:00:00.000Z' },
    ];
    const h = harness(dir, () => ({ json: { FunctionName: 'shop', Tenants: tenants } }));
    expect(await h.run('tenants', 'stats', 'shop', '--max-items', '5')).toBe(0);
    expect(h.requests[0]!.url.pathname).toBe('/stratus/v1/functions/shop/tenants');
    expect(h.requests[0]!.url.search).toBe('?MaxItems=5');
    expect(h.stdout().split('\n')).toEqual([
      'TENANT  INVOCATIONS  ERRORS  THROTTLES  COLD  P50 ms  P99 ms',
      'acme           1520       3         12     2    4.22     132',
      'globex            7       0          0     1    0.42    1.50',
      '',
    ]);

    const json = harness(dir, () => ({ json: { FunctionName: 'shop', Tenants: tenants } }));
    expect(await json.run('tenants', 'stats', 'shop', '--json')).toBe(0);
    expect(JSON.parse(json.stdout())).toEqual({ FunctionName: 'shop', Tenants: tenants });

    const empty = harness(dir, () => ({ json: { FunctionName: 'shop', Tenants: [] } }));
    expect(await empty.run('tenants', 'stats', 'shop')).toBe(0);
    expect(empty.stdout()).toMatch(/^no tenant has invoked shop on this server since it started/);
  });

  it('tenancy-limits set sends both limits, get shows them, clear sends {}', async () => {
    const h = harness(dir, (req) => ({ json: { FunctionName: 'shop', ...(req.body ? JSON.parse(req.body) : { MaxConcurrency: 5 }) } }));
    expect(await h.run('tenancy-limits', 'set', 'shop', '--max-concurrency', '5', '--max-rps', '20.5')).toBe(0);
    expect(`${h.requests[0]!.method} ${h.requests[0]!.url.pathname}`).toBe('PUT /stratus/v1/functions/shop/tenancy-limits');
    expect(JSON.parse(h.requests[0]!.body)).toEqual({ MaxConcurrency: 5, MaxRequestsPerSecond: 20.5 });
    expect(h.stdout()).toBe('shop: limits per tenant\n  max concurrency:         5\n  max requests per second: 20.5\n');

    const get = harness(dir, () => ({ json: { FunctionName: 'shop', MaxConcurrency: 5 } }));
    expect(await get.run('tenancy-limits', 'get', 'shop')).toBe(0);
    expect(get.requests[0]!.method).toBe('GET');
    expect(get.stdout()).toContain('max requests per second: no limit');

    const clear = harness(dir, () => ({ json: { FunctionName: 'shop' } }));
    expect(await clear.run('tenancy-limits', 'clear', 'shop')).toBe(0);
    expect(JSON.parse(clear.requests[0]!.body)).toEqual({});
    expect(clear.stdout()).toBe('shop: no per-tenant limits\n');
  });

  it('tenancy-limits set checks its flags before calling the server', async () => {
    const h = harness(dir, () => ({ json: {} }));
    expect(await h.run('tenancy-limits', 'set', 'shop')).toBe(1);
    expect(h.stderr()).toBe('error: tenancy-limits set needs --max-concurrency and/or --max-rps (use `stratus tenancy-limits clear` to remove the limits)\n');
    expect(await h.run('tenancy-limits', 'set', 'shop', '--max-concurrency', '0')).toBe(1);
    expect(await h.run('tenancy-limits', 'set', 'shop', '--max-rps', 'fast')).toBe(1);
    expect(await h.run('tenancy-limits', 'set', 'shop', '--max-rps', '-1')).toBe(1);
    expect(h.requests).toEqual([]);
  });

  it('formats milliseconds with three significant figures at most', () => {
    expect([0, 0.421, 4.217, 12.34, 131.6, 1520.2].map(formatMs)).toEqual(['-', '0.42', '4.22', '12.3', '132', '1520']);
  });
});
