/** @module Lambda tag routes: TagResource, UntagResource, ListTags (tags belong to a whole function, named by its ARN). */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { qualifiedFunction } from '../../control/index.ts';
import { stratusError } from '../../shared/errors.ts';
import { callerOf, type ApiDeps } from '../context.ts';
import { queryList } from '../query.ts';
import { parseBody, tagResourceBody } from '../schemas.ts';

const TAGS = '/2017-03-31/tags/:ARN';

export function tagRoutes(app: FastifyInstance, deps: ApiDeps): void {
  /** The function an ARN names (a plain name is accepted too); a qualified ARN is refused, as Lambda does. */
  const target = (request: FastifyRequest) => {
    const { ARN } = request.params as { ARN: string };
    const ref = qualifiedFunction(callerOf(request).id, ARN, undefined, deps.region);
    if (ref.qualifier !== undefined) throw stratusError('REQUEST_INVALID_PARAMETER.tagsQualified', { qualifier: ref.qualifier });
    return ref.fn;
  };

  app.post(TAGS, async (request, reply) => {
    const fn = target(request);
    const body = parseBody(tagResourceBody, request.body as Buffer);
    await deps.tags.tag(fn.accountId, fn.name, body.Tags);
    return reply.status(204).send();
  });

  app.get(TAGS, async (request) => {
    const fn = target(request);
    return { Tags: await deps.tags.list(fn.accountId, fn.name) };
  });

  app.delete(TAGS, async (request, reply) => {
    const fn = target(request);
    await deps.tags.untag(fn.accountId, fn.name, queryList(request, 'tagKeys'));
    return reply.status(204).send();
  });
}
