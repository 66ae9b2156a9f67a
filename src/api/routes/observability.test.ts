import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { createTenantMetrics } from '../../invoke/metrics/index.ts';
import { stratusError } from '../../shared/errors.ts';
import { sendError, toStratusError } from '../error-map.ts';
import { observabilityRoutes, type ObservabilityDeps } from './observability.ts';

const ACCOUNT = '111111111111';

/** The routes on a bare Fastify with the server's error rendering and a stand-in for the SigV4 hook. */
async function appWith(opts: { metricsToken?: string } = {}) {
  const metrics = createTenantMetrics({ tenantLabelCap: 10 });
  const port: ObservabilityDeps['metrics'] = metrics;
  const app = Fastify();
  app.addHook('onRequest', async (request) => {
    request.account = { id: ACCOUNT, name: 'acme', isAdmin: false, createdAt: '2025-01-01T00:00:00Z' };
  });
  app.setErrorHandler((err, _request, reply) => sendError(reply, toStratusError(err).error));
  const functions = {
    async get(accountId: string, name: string) {
      if (accountId !== ACCOUNT || name !== 'fn') throw stratusError('FUNCTION_NOT_FOUND', { arn: name });
      return {};
    },
  };
  observabilityRoutes(app, { metrics: port, functions, metricsToken: opts.metricsToken });
  await app.ready();
  return { app, metrics };
}

let open: FastifyInstance | undefined;
afterEach(async () => {
  await open?.close();
  open = undefined;
});

describe('GET /metrics', () => {
  it('serves Prometheus text to loopback clients when no token is set', async () => {
    const { app, metrics } = await appWith();
    open = app;
    metrics.invoked({ accountId: ACCOUNT, functionName: 'fn', tenantId: 'acme', outcome: 'success', durationMs: 2, cold: true });
    for (const remoteAddress of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
      const res = await app.inject({ method: 'GET', url: '/metrics', remoteAddress });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.body).toContain('stratus_invocations_total{account="111111111111",function="fn",tenant="acme",outcome="success"} 1');
    }
  });

  it('refuses other hosts when no token is set, saying how to allow them', async () => {
    const { app } = await appWith();
    open = app;
    const res = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(res.statusCode).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(res.json()).toMatchObject({ code: 'AUTH_FORBIDDEN', message: expect.stringContaining('set STRATUS_METRICS_TOKEN to scrape from another host') });
  });

  it('needs the bearer token from every client once a token is set', async () => {
    const { app } = await appWith({ metricsToken: 's3cret-token' });
    open = app;
    const ok = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: { authorization: 'Bearer s3cret-token' } });
    expect(ok.statusCode).toBe(200);
    for (const authorization of [undefined, 'Bearer wrong', 'Bearer s3cret-token-and-more', 'Basic czNjcmV0LXRva2Vu']) {
      const res = await app.inject({ method: 'GET', url: '/metrics', remoteAddress: '127.0.0.1', headers: authorization ? { authorization } : {} });
      expect(res.statusCode, String(authorization)).toBe(403);
      expect(res.headers['www-authenticate']).toBe('Bearer realm="stratus-metrics"');
      expect(res.body).not.toContain('s3cret');
    }
  });
});

describe('GET /stratus/v1/functions/:FunctionName/tenants', () => {
  it('returns the tenants of a function in PascalCase, most invocations first, up to MaxItems', async () => {
    const { app, metrics } = await appWith();
    open = app;
    const call = (tenantId: string, outcome: 'success' | 'error' = 'success') =>
      metrics.invoked({ accountId: ACCOUNT, functionName: 'fn', tenantId, outcome, durationMs: 5, cold: false });
    call('a');
    call('b');
    call('b', 'error');
    const res = await app.inject({ method: 'GET', url: '/stratus/v1/functions/fn/tenants' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({
      FunctionName: 'fn',
      Tenants: [
        { TenantId: 'b', Invocations: 2, Errors: 1, Throttles: 0, ColdStarts: 0, P50Ms: 5, P90Ms: 5, P99Ms: 5, LastSeen: expect.any(String) },
        { TenantId: 'a', Invocations: 1, Errors: 0, Throttles: 0, ColdStarts: 0, P50Ms: 5, P90Ms: 5, P99Ms: 5, LastSeen: expect.any(String) },
      ],
    });
    const one = await app.inject({ method: 'GET', url: '/stratus/v1/functions/fn/tenants?MaxItems=1' });
    expect(one.json().Tenants.map((t: { TenantId: string }) => t.TenantId)).toEqual(['b']);
  });

  it('answers 404 for an unknown function or another account, and 400 for bad parameters', async () => {
    const { app } = await appWith();
    open = app;
    const missing = await app.inject({ method: 'GET', url: '/stratus/v1/functions/nope/tenants' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'FUNCTION_NOT_FOUND' });
    const foreign = await app.inject({ method: 'GET', url: `/stratus/v1/functions/${encodeURIComponent('arn:aws:lambda:us-east-1:222222222222:function:fn')}/tenants` });
    expect(foreign.statusCode).toBe(404);
    const qualified = await app.inject({ method: 'GET', url: '/stratus/v1/functions/fn%3A1/tenants' });
    expect(qualified.statusCode).toBe(400);
    expect(qualified.json().message).toMatch(/every version/);
    const badMax = await app.inject({ method: 'GET', url: '/stratus/v1/functions/fn/tenants?MaxItems=0' });
    expect(badMax.statusCode).toBe(400);
    expect(badMax.json().message).toMatch(/MaxItems/);
  });
});
