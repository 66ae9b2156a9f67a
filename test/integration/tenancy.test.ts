// Multi-tenant mode over the Lambda API: TenancyConfig, X-Amz-Tenant-Id rules, context.tenantId, per-tenant limits.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  InvalidParameterValueException,
  InvokeCommand,
  TooManyRequestsException,
  UpdateFunctionConfigurationCommand,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { decode, startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { signedFetch, type RawResponse } from '../support/signed-fetch.ts';
import { nodeStats, until } from '../support/until.ts';

let server: TestServer;
let lambda: LambdaClient;
let call: (method: string, path: string, body?: string, headers?: Record<string, string>) => Promise<RawResponse>;

const SOURCE = `
let calls = 0;
exports.handler = async (event, context) => {
  calls++;
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  if (event.spin) for (;;) {}
  return { tenant: context.tenantId, calls };
};`;

beforeAll(async () => {
  server = await startTestServer();
  lambda = server.lambda();
  call = (method, path, body, headers) => signedFetch(server.url, method, path, body, { credentials: server.rootCredentials, headers });
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'saas',
      Code: { ZipFile: zipOf({ 'index.js': SOURCE }) },
      Handler: 'index.handler',
      Role: 'r',
      Timeout: 1,
      TenancyConfig: { TenantIsolationMode: 'PER_TENANT' },
    }),
  );
  await lambda.send(new CreateFunctionCommand({ FunctionName: 'plain', Code: { ZipFile: zipOf({ 'index.js': SOURCE }) }, Handler: 'index.handler', Role: 'r' }));
});
afterAll(async () => {
  lambda?.destroy();
  await server?.stop();
});

const invoke = async (tenant: string | undefined, event: object = {}, fn = 'saas') => {
  const out = await lambda.send(new InvokeCommand({ FunctionName: fn, TenantId: tenant, Payload: Buffer.from(JSON.stringify(event)) }));
  return { error: out.FunctionError, body: decode(out.Payload) as Record<string, unknown> };
};

describe('TenancyConfig', () => {
  it('is reported and fixed at creation', async () => {
    const conf = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'saas' }));
    expect(conf.TenancyConfig).toEqual({ TenantIsolationMode: 'PER_TENANT' });
    expect((await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'plain' }))).TenancyConfig).toBeUndefined();
    // The SDK has no TenancyConfig on UpdateFunctionConfiguration, so the raw API is asked.
    const res = await call('PUT', '/2015-03-31/functions/saas/configuration', JSON.stringify({ TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } }));
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amzn-errortype')).toBe('InvalidParameterValueException');
    expect(res.json().message).toMatch(/TenancyConfig.*cannot be changed/);
    const after = await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'saas', Description: 'still tenant-isolated' }));
    expect(after.TenancyConfig).toEqual({ TenantIsolationMode: 'PER_TENANT' });
  });

  it('refuses other isolation modes naming the allowed one', async () => {
    const res = await call(
      'POST',
      '/2015-03-31/functions',
      JSON.stringify({ FunctionName: 'x', Code: { ZipFile: Buffer.from(zipOf({ 'index.js': SOURCE })).toString('base64') }, TenancyConfig: { TenantIsolationMode: 'SHARED' } }),
    );
    expect(res.status).toBe(400);
    expect(res.json().message).toMatch(/PER_TENANT/);
  });
});

describe('tenant ids', () => {
  it('are required by a tenant-isolated function and refused by others', async () => {
    const missing = await invoke(undefined).catch((e) => e);
    expect(missing).toBeInstanceOf(InvalidParameterValueException);
    expect(missing.message).toMatch(/X-Amz-Tenant-Id/);
    const unexpected = await invoke('acme', {}, 'plain').catch((e) => e);
    expect(unexpected).toBeInstanceOf(InvalidParameterValueException);
    expect(unexpected.message).toMatch(/not created with tenant isolation/);
  });

  it('reach the handler as context.tenantId', async () => {
    expect((await invoke('acme')).body).toMatchObject({ tenant: 'acme' });
  });

  it.each([
    ['empty', ''],
    ['too long', 'a'.repeat(257)],
    ['a path', '../other-tenant'],
    ['a slash', 'a/b'],
    ['a backslash', 'a\\b'],
    ['a space', 'a b'],
    ['only dots', '..'],
    ['non-ASCII', 'tenánt'],
  ])('refuses an id that is %s, naming the rule', async (_what, id) => {
    const res = await call('POST', '/2015-03-31/functions/saas/invocations', '{}', { 'x-amz-tenant-id': id });
    expect(res.status).toBe(400);
    expect(res.json().message).toMatch(/1-256 characters of letters, digits/);
  });

  it('accepts the longest valid id', async () => {
    expect((await invoke('t'.repeat(256))).body.tenant).toBe('t'.repeat(256));
  });
});

describe('environments per tenant', () => {
  it("keeps each tenant's module state to itself", async () => {
    const a1 = await invoke('state-a');
    const b1 = await invoke('state-b');
    const a2 = await invoke('state-a');
    expect([a1.body.calls, b1.body.calls, a2.body.calls]).toEqual([1, 1, 2]);
  });

  it('gives a tenant id that looks like another account or function nothing of theirs', async () => {
    await invoke('victim');
    await invoke('victim');
    const arnLike = (await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'saas' }))).FunctionArn!;
    for (const id of [arnLike, `${arnLike}:victim`, 'victim:', 'plain', '000000000000:function:saas']) {
      expect((await invoke(id)).body).toMatchObject({ tenant: id, calls: 1 });
    }
  });

  it('lets one tenant kill only its own environment', async () => {
    await invoke('survivor');
    const [killed, survivor] = await Promise.all([invoke('killer', { spin: true }), invoke('survivor', { sleepMs: 100 })]);
    expect(killed.error).toBe('Unhandled');
    expect(killed.body.errorType).toBe('Sandbox.Timedout');
    expect(survivor).toMatchObject({ error: undefined, body: { calls: 2 } });
    expect((await invoke('survivor')).body.calls).toBe(3);
    expect((await invoke('killer')).body.calls).toBe(1);
  });
});

describe('per-tenant limits', () => {
  it('are set, read and cleared through the native API', async () => {
    const put = await call('PUT', '/stratus/v1/functions/saas/tenancy-limits', JSON.stringify({ MaxConcurrency: 1, MaxRequestsPerSecond: 100 }));
    expect(put.status).toBe(200);
    expect(put.json()).toEqual({ FunctionName: 'saas', MaxConcurrency: 1, MaxRequestsPerSecond: 100, RevisionId: expect.any(String) });
    expect((await call('GET', '/stratus/v1/functions/saas/tenancy-limits')).json()).toEqual(put.json());
    const bad = await call('PUT', '/stratus/v1/functions/saas/tenancy-limits', JSON.stringify({ MaxConcurrency: 0 }));
    expect(bad.status).toBe(400);
    expect(bad.json().message).toMatch(/MaxConcurrency/);
    const plain = await call('PUT', '/stratus/v1/functions/plain/tenancy-limits', JSON.stringify({ MaxConcurrency: 1 }));
    expect(plain.status).toBe(400);
    expect(plain.json().message).toMatch(/no tenant isolation/);
  });

  it('are written only at the RevisionId the caller read: a stale or concurrent write gets 412', async () => {
    const limitsPath = '/stratus/v1/functions/saas/tenancy-limits';
    const read = (await call('GET', limitsPath)).json();
    const first = await call('PUT', limitsPath, JSON.stringify({ MaxConcurrency: 3, RevisionId: read.RevisionId }));
    expect(first.status).toBe(200);
    expect(first.json().RevisionId).not.toBe(read.RevisionId);
    const stale = await call('PUT', limitsPath, JSON.stringify({ MaxConcurrency: 4, RevisionId: read.RevisionId }));
    expect({ status: stale.status, type: stale.headers.get('x-amzn-errortype') }).toEqual({ status: 412, type: 'PreconditionFailedException' });
    // Two writers that read the same revision: exactly one of them wins, whichever check catches the other.
    const racing = await Promise.all([5, 6].map((n) => call('PUT', limitsPath, JSON.stringify({ MaxConcurrency: n, RevisionId: first.json().RevisionId }))));
    expect(racing.map((r) => r.status).sort()).toEqual([200, 412]);
    const lost = racing.find((r) => r.status === 412)!;
    expect(lost.headers.get('x-amzn-errortype')).toBe('PreconditionFailedException');
    expect((await call('GET', limitsPath)).json()).toEqual(racing.find((r) => r.status === 200)!.json());
  });

  it('throttle one tenant over its concurrency with 429 and Retry-After, not the others', async () => {
    await call('PUT', '/stratus/v1/functions/saas/tenancy-limits', JSON.stringify({ MaxConcurrency: 1 }));
    const slow = invoke('busy', { sleepMs: 400 });
    // Leased past the limits stage: the tenant's one concurrency slot is held.
    await until('the slow call runs', async () => (await nodeStats(server)).BusyEnvironments === 1);
    const raw = await call('POST', '/2015-03-31/functions/saas/invocations', '{}', { 'x-amz-tenant-id': 'busy' });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toBe('1');
    expect(raw.json()).toMatchObject({ Reason: 'ConcurrentInvocationLimitExceeded' });
    expect(raw.json().message).toMatch(/MaxConcurrency/);
    await expect(invoke('busy')).rejects.toBeInstanceOf(TooManyRequestsException);
    expect((await invoke('other-tenant')).error).toBeUndefined();
    expect((await slow).error).toBeUndefined();
    expect((await invoke('busy')).error).toBeUndefined();
  });

  it('throttle one tenant over its request rate', async () => {
    await call('PUT', '/stratus/v1/functions/saas/tenancy-limits', JSON.stringify({ MaxRequestsPerSecond: 2 }));
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await call('POST', '/2015-03-31/functions/saas/invocations', '{}', { 'x-amz-tenant-id': 'rated' })).status);
    expect(statuses.slice(0, 2)).toEqual([200, 200]);
    expect(statuses.slice(2)).toContain(429);
    expect((await invoke('unrated')).error).toBeUndefined();
    await call('PUT', '/stratus/v1/functions/saas/tenancy-limits', '{}');
    expect((await call('GET', '/stratus/v1/functions/saas/tenancy-limits')).json()).toEqual({ FunctionName: 'saas', RevisionId: expect.any(String) });
  });
});

describe('fair admission', () => {
  it("serves a quiet tenant ahead of a noisy tenant's queue when the node is full", async () => {
    const busy = await startTestServer({ maxInflightInvocations: 1 });
    const client = busy.lambda();
    try {
      await client.send(
        new CreateFunctionCommand({
          FunctionName: 'fair',
          Code: { ZipFile: zipOf({ 'index.js': SOURCE }) },
          Handler: 'index.handler',
          Role: 'r',
          Timeout: 10,
          TenancyConfig: { TenantIsolationMode: 'PER_TENANT' },
        }),
      );
      const done: string[] = [];
      const send = (tenant: string, label: string) =>
        client.send(new InvokeCommand({ FunctionName: 'fair', TenantId: tenant, Payload: Buffer.from('{"sleepMs":150}') })).then(() => done.push(label));
      const noisy = Array.from({ length: 6 }, (_, i) => send('noisy', `noisy-${i}`));
      await until('one noisy call runs and five wait', async () => {
        const s = await nodeStats(busy);
        return s.InflightInvocations === 1 && s.QueuedInvocations === 5;
      });
      const quiet = send('quiet', 'quiet');
      await Promise.all([...noisy, quiet]);
      // One invocation at a time: first come first served would finish the quiet call last.
      expect(done.indexOf('quiet')).toBeLessThanOrEqual(2);
      expect(done).toHaveLength(7);
    } finally {
      client.destroy();
      await busy.stop();
    }
  });

  it('gives the slot back when a client goes away, waiting or running', async () => {
    const busy = await startTestServer({ maxInflightInvocations: 1 });
    const creds = busy.rootCredentials;
    try {
      const zip = Buffer.from(zipOf({ 'index.js': SOURCE })).toString('base64');
      await signedFetch(busy.url, 'POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 'gone', Timeout: 5, Code: { ZipFile: zip } }), { credentials: creds });
      const abandoned = Array.from({ length: 5 }, () => {
        const controller = new AbortController();
        setTimeout(() => controller.abort(), 50);
        return signedFetch(busy.url, 'POST', '/2015-03-31/functions/gone/invocations', '{"sleepMs":300}', { credentials: creds, signal: controller.signal }).catch(
          (e: Error) => e.name,
        );
      });
      expect(await Promise.all(abandoned)).toEqual(Array(5).fill('AbortError'));
      // Had any abandoned request kept its slot, this call would wait forever.
      const after = await signedFetch(busy.url, 'POST', '/2015-03-31/functions/gone/invocations', '{}', { credentials: creds, signal: AbortSignal.timeout(10_000) });
      expect(after.status).toBe(200);
    } finally {
      await busy.stop();
    }
  });
});

describe('event-loop headroom', () => {
  it('paces two competing tenants when the loop is over target, and still answers every request', async () => {
    // A target no loop under load stays below, so pacing must start.
    const node = await startTestServer({ eventLoopTarget: 0.1 });
    const creds = node.rootCredentials;
    try {
      const zip = Buffer.from(zipOf({ 'index.js': SOURCE })).toString('base64');
      const created = await signedFetch(
        node.url,
        'POST',
        '/2015-03-31/functions',
        JSON.stringify({ FunctionName: 'paced', Code: { ZipFile: zip }, TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } }),
        { credentials: creds },
      );
      expect(created.status).toBe(201);
      const invoke = (tenant: string) =>
        signedFetch(node.url, 'POST', '/2015-03-31/functions/paced/invocations', '{}', { credentials: creds, headers: { 'x-amz-tenant-id': tenant } }).then((r) => r.status);
      /** `n` calls for a tenant, `width` at a time. */
      const stream = async (tenant: string, n: number, width: number) => {
        const statuses: number[] = [];
        await Promise.all(
          Array.from({ length: width }, async () => {
            while (statuses.length < n) statuses.push(await invoke(tenant));
          }),
        );
        return statuses;
      };
      const [heavy, light] = await Promise.all([stream('heavy', 400, 16), stream('light', 60, 2)]);
      expect([...heavy, ...light].every((s) => s === 200)).toBe(true);
      const stats = (await signedFetch(node.url, 'GET', '/stratus/v1/node', undefined, { credentials: creds })).json() as Record<string, number>;
      expect(stats.EventLoopTarget).toBe(0.1);
      expect(stats.PacedAdmissions).toBeGreaterThan(0);
      const metrics = await fetch(`${node.url}/metrics`).then((r) => r.text());
      expect(metrics).toMatch(/^stratus_admissions_paced_total [1-9]\d*$/m);
    } finally {
      await node.stop();
    }
  }, 60_000);
});
