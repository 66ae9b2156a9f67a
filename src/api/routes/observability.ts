/** @module Observability routes: Prometheus `/metrics` (token or loopback only) and per-tenant statistics of a function. */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseFunctionRef } from '../../control/index.ts';
import { stratusError } from '../../shared/errors.ts';
import { callerOf, type MetricsReader } from '../context.ts';
import { parseMaxItems } from '../schemas.ts';

const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const DEFAULT_MAX_TENANTS = 100;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

export interface ObservabilityDeps {
  metrics: MetricsReader;
  /** When set, `/metrics` needs `Authorization: Bearer <token>` from every client, loopback included. */
  metricsToken?: string;
  /** Throws FUNCTION_NOT_FOUND for a function the account does not have (FunctionService.get). */
  functions: { get(accountId: string, name: string): Promise<unknown> };
}

export function observabilityRoutes(app: FastifyInstance, deps: ObservabilityDeps): void {
  const token = deps.metricsToken ? digest(deps.metricsToken) : undefined;

  // Public with respect to SigV4 (Prometheus cannot sign), so it guards itself.
  app.get('/metrics', async (request, reply) => {
    if (token) {
      const presented = bearerToken(request);
      // Comparing digests keeps the comparison constant-time even when the lengths differ.
      if (presented === undefined || !timingSafeEqual(digest(presented), token)) {
        reply.header('WWW-Authenticate', 'Bearer realm="stratus-metrics"');
        throw stratusError('AUTH_FORBIDDEN.metricsToken');
      }
    } else if (!LOOPBACK.has(request.ip)) {
      throw stratusError('AUTH_FORBIDDEN.metricsLoopback', { ip: request.ip });
    }
    const text = await deps.metrics.prometheus();
    return reply.header('content-type', PROMETHEUS_CONTENT_TYPE).header('cache-control', 'no-store').send(text);
  });

  app.get('/stratus/v1/functions/:FunctionName/tenants', async (request) => {
    const account = callerOf(request);
    const { FunctionName } = request.params as { FunctionName: string };
    const query = request.query as { MaxItems?: string };
    const maxItems = query.MaxItems === undefined ? DEFAULT_MAX_TENANTS : parseMaxItems(query.MaxItems);
    const ref = parseFunctionRef(FunctionName);
    if (ref.qualifier !== undefined) {
      throw stratusError('REQUEST_INVALID_PARAMETER.tenantStatsQualified', { qualifier: ref.qualifier });
    }
    if (ref.accountId !== undefined && ref.accountId !== account.id) {
      throw stratusError('FUNCTION_NOT_FOUND', { arn: FunctionName });
    }
    await deps.functions.get(account.id, ref.name);
    const stats = deps.metrics.tenantStats(account.id, ref.name).slice(0, maxItems);
    return {
      FunctionName: ref.name,
      Tenants: stats.map((s) => ({
        TenantId: s.tenantId,
        Invocations: s.invocations,
        Errors: s.errors,
        Throttles: s.throttles,
        ColdStarts: s.coldStarts,
        P50Ms: s.p50Ms,
        P90Ms: s.p90Ms,
        P99Ms: s.p99Ms,
        LastSeen: s.lastSeen,
      })),
    };
  });
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  const match = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}
