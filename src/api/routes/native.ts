/** @module Stratus's own routes: health, accounts (admin), tenancy limits, egress policies, and the code download links GetFunction hands out. */
import type { FastifyInstance } from 'fastify';
import { stratusError } from '../../shared/errors.ts';
import { isVersionQualifier, type EgressState, type TenancyLimits, type TenancyLimitsState } from '../../control/index.ts';
import { EGRESS_TAG, formatEgressRule } from '../../shared/egress-policy.ts';
import { callerOf, functionTarget, type ApiDeps } from '../context.ts';
import { createAccountBody, egressPolicyBody, parseBody, tenancyLimitsBody } from '../schemas.ts';

/** Routes that carry no SigV4 signature: health checks and presigned code links. */
export const PUBLIC_PREFIXES = ['/healthz', '/metrics', '/stratus/v1/code/'];

export function nativeRoutes(app: FastifyInstance, deps: ApiDeps): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.post('/stratus/v1/accounts', async (request, reply) => {
    const body = parseBody(createAccountBody, request.body as Buffer);
    const created = await deps.accounts.create(callerOf(request), body.Name);
    return reply.status(201).send({ AccountId: created.account.id, Name: created.account.name, AccessKeyId: created.accessKeyId, SecretAccessKey: created.secretAccessKey });
  });

  app.get('/stratus/v1/accounts', async (request) => {
    const list = await deps.accounts.list(callerOf(request));
    return { Accounts: list.map((a) => ({ AccountId: a.id, Name: a.name, Admin: a.isAdmin, CreatedAt: a.createdAt })) };
  });

  const limitsShape = (name: string, s: TenancyLimitsState) => ({
    FunctionName: name,
    MaxConcurrency: s.limits.maxConcurrency,
    MaxRequestsPerSecond: s.limits.maxRequestsPerSecond,
    RevisionId: s.revisionId,
  });

  app.get('/stratus/v1/functions/:FunctionName/tenancy-limits', async (request) => {
    const t = functionTarget(request, deps.region);
    return limitsShape(t.name, await deps.functions.getTenancyLimits(t.accountId, t.name));
  });

  // A tenancy-limits document is a few dozen bytes. With a RevisionId, the write happens only if the limits are still at it.
  app.put('/stratus/v1/functions/:FunctionName/tenancy-limits', { bodyLimit: 4 * 1024 }, async (request) => {
    const t = functionTarget(request, deps.region);
    const body = parseBody(tenancyLimitsBody, request.body as Buffer);
    const limits: TenancyLimits = {};
    if (body.MaxConcurrency !== undefined) limits.maxConcurrency = body.MaxConcurrency;
    if (body.MaxRequestsPerSecond !== undefined) limits.maxRequestsPerSecond = body.MaxRequestsPerSecond;
    return limitsShape(t.name, await deps.functions.setTenancyLimits(t.accountId, t.name, limits, { revisionId: body.RevisionId }));
  });

  const egressShape = (name: string, s: EgressState) => ({
    FunctionName: name,
    Version: s.version,
    // In force for this version: the EgressPolicy field when set, else the tag stratus:egress, else nothing.
    AllowedHosts: s.effective?.rules.map(formatEgressRule) ?? [],
    Source: s.effective === undefined ? 'none' : s.effective.source === 'tag' ? `tag:${EGRESS_TAG}` : 'EgressPolicy',
    ...(s.field ? { EgressPolicy: { AllowedHosts: s.field } } : {}),
    ...(s.tag !== undefined ? { Tag: s.tag } : {}),
    RevisionId: s.revisionId,
  });

  app.get('/stratus/v1/functions/:FunctionName/egress-policy', async (request) => {
    const t = functionTarget(request, deps.region);
    const version = t.qualifier === undefined || isVersionQualifier(t.qualifier) ? t.qualifier : (await deps.aliases.get(t.accountId, t.name, t.qualifier)).functionVersion;
    return egressShape(t.name, await deps.egress.get(t.accountId, t.name, version));
  });

  // Sets the EgressPolicy field of $LATEST (published later, a version keeps it); with a RevisionId, only if $LATEST is still at it.
  app.put('/stratus/v1/functions/:FunctionName/egress-policy', { bodyLimit: 64 * 1024 }, async (request) => {
    const t = functionTarget(request, deps.region);
    if (t.qualifier !== undefined) throw stratusError('REQUEST_INVALID_PARAMETER.unqualifiedOnly');
    const body = parseBody(egressPolicyBody, request.body as Buffer);
    return egressShape(t.name, await deps.egress.set(t.accountId, t.name, body.AllowedHosts, { revisionId: body.RevisionId }));
  });

  // Clears the field: the tag stratus:egress applies again, or nothing.
  app.delete('/stratus/v1/functions/:FunctionName/egress-policy', async (request) => {
    const t = functionTarget(request, deps.region);
    if (t.qualifier !== undefined) throw stratusError('REQUEST_INVALID_PARAMETER.unqualifiedOnly');
    const { RevisionId } = request.query as { RevisionId?: string };
    return egressShape(t.name, await deps.egress.set(t.accountId, t.name, undefined, { revisionId: RevisionId }));
  });

  app.get('/stratus/v1/node', async (request) => {
    if (!callerOf(request).isAdmin) throw stratusError('AUTH_FORBIDDEN.nodeStats');
    return deps.nodeStats();
  });

  app.get('/stratus/v1/code/:sha', async (request, reply) => {
    const { sha } = request.params as { sha: string };
    const q = request.query as { account?: string; function?: string; expires?: string; signature?: string };
    const target = { accountId: q.account ?? '', functionName: q.function ?? '', codeSha256: sha };
    if (!deps.codeLinks.verify(target, q.expires ?? '', q.signature ?? '', deps.clock.now())) {
      throw stratusError('AUTH_FORBIDDEN.codeLink');
    }
    // Checked now, not when the link was issued: code deleted or replaced since is no longer served.
    const zip = await deps.functions.codeZip(target.accountId, target.functionName, sha);
    // Not cached anywhere on the way: a copy must not outlive the code's deletion either.
    return reply.header('content-type', 'application/zip').header('cache-control', 'private, no-store').send(Buffer.from(zip));
  });
}
