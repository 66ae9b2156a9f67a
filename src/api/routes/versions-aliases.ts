/** @module Lambda version and alias routes: PublishVersion, ListVersionsByFunction, Create/Get/Update/Delete/ListAliases. */
import type { FastifyInstance } from 'fastify';
import { stratusError } from '../../shared/errors.ts';
import { functionTarget, type ApiDeps } from '../context.ts';
import { createAliasBody, parseBody, parseMaxItems, publishVersionBody, updateAliasBody } from '../schemas.ts';
import { aliasConfiguration, functionConfiguration } from '../shapes.ts';

const FN = '/2015-03-31/functions/:FunctionName';

export function versionAliasRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { functions, aliases, region } = deps;

  /** These operations name the function alone; a qualifier in the name is a mistake worth naming. */
  const unqualified = (request: Parameters<typeof functionTarget>[0]) => {
    const t = functionTarget(request, region);
    if (t.qualifier !== undefined) throw stratusError('REQUEST_INVALID_PARAMETER.unqualifiedOnly');
    return t;
  };

  app.post(`${FN}/versions`, async (request, reply) => {
    const t = unqualified(request);
    const body = parseBody(publishVersionBody, request.body as Buffer);
    const rec = await functions.publish(t.accountId, t.name, { codeSha256: body.CodeSha256, description: body.Description, revisionId: body.RevisionId });
    return reply.status(201).send(functionConfiguration(rec, region));
  });

  app.get(`${FN}/versions`, async (request) => {
    const t = unqualified(request);
    const q = request.query as { Marker?: string; MaxItems?: string };
    const page = await functions.listVersions(t.accountId, t.name, q.Marker, parseMaxItems(q.MaxItems));
    return { Versions: page.items.map((r) => functionConfiguration(r, region)), ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
  });

  app.post(`${FN}/aliases`, async (request, reply) => {
    const t = unqualified(request);
    const body = parseBody(createAliasBody, request.body as Buffer);
    const rec = await aliases.create(t.accountId, t.name, {
      name: body.Name,
      functionVersion: body.FunctionVersion,
      description: body.Description,
      additionalVersionWeights: body.RoutingConfig?.AdditionalVersionWeights,
    });
    return reply.status(201).send(aliasConfiguration(rec, region));
  });

  app.get(`${FN}/aliases`, async (request) => {
    const t = unqualified(request);
    const q = request.query as { Marker?: string; MaxItems?: string; FunctionVersion?: string };
    const page = await aliases.list(t.accountId, t.name, { functionVersion: q.FunctionVersion, marker: q.Marker, limit: parseMaxItems(q.MaxItems) });
    return { Aliases: page.items.map((a) => aliasConfiguration(a, region)), ...(page.nextMarker ? { NextMarker: page.nextMarker } : {}) };
  });

  app.get(`${FN}/aliases/:Name`, async (request) => {
    const t = unqualified(request);
    return aliasConfiguration(await aliases.get(t.accountId, t.name, (request.params as { Name: string }).Name), region);
  });

  app.put(`${FN}/aliases/:Name`, async (request) => {
    const t = unqualified(request);
    const body = parseBody(updateAliasBody, request.body as Buffer);
    const rec = await aliases.update(t.accountId, t.name, (request.params as { Name: string }).Name, {
      functionVersion: body.FunctionVersion,
      description: body.Description,
      additionalVersionWeights: body.RoutingConfig ? (body.RoutingConfig.AdditionalVersionWeights ?? {}) : undefined,
      revisionId: body.RevisionId,
    });
    return aliasConfiguration(rec, region);
  });

  app.delete(`${FN}/aliases/:Name`, async (request, reply) => {
    const t = unqualified(request);
    await aliases.delete(t.accountId, t.name, (request.params as { Name: string }).Name);
    return reply.status(204).send();
  });
}
