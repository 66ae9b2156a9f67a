/** @module Builds the Fastify server: body handling, auth, routes, and Lambda-shaped errors. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { stratusError } from '../shared/errors.ts';
import { installAuth } from './auth.ts';
import type { ApiDeps } from './context.ts';
import { sendError, toStratusError } from './error-map.ts';
import { parseQuery, refuseRepeatedParameters } from './query.ts';
import { functionRoutes } from './routes/functions.ts';
import { invokeRoute } from './routes/invoke.ts';
import { PUBLIC_PREFIXES, nativeRoutes } from './routes/native.ts';
import { versionAliasRoutes } from './routes/versions-aliases.ts';
import { observabilityRoutes } from './routes/observability.ts';

/** CreateFunction carries a base64 zip: Lambda's 50 MB zipped limit is about 67 MB as base64. */
const CONTROL_BODY_LIMIT = 70 * 1024 * 1024;

export function buildServer(deps: ApiDeps & { logger: Logger }): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: CONTROL_BODY_LIMIT,
    // Bounds the time to receive a whole request (not to answer it), so a client that sends
    // headers and then stalls cannot hold an admission slot or a body buffer indefinitely.
    requestTimeout: 30_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500, querystringParser: parseQuery },
    // One access line per request comes from the onResponse hook below, without headers or bodies.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
  });

  // Every body is kept raw: SigV4 hashes the exact bytes, and Invoke payloads are passed through untouched.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-amzn-RequestId', request.id);
  });
  app.addHook('onRequest', refuseRepeatedParameters);
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  installAuth(app, { accounts: deps.accounts, clock: deps.clock, region: deps.region, publicPrefixes: PUBLIC_PREFIXES });

  app.setErrorHandler((err, request, reply) => {
    const { error, unexpected } = toStratusError(err);
    if (unexpected) request.log.error({ err, code: error.code }, 'request failed');
    else request.log.debug({ code: error.code, msg: error.message }, 'request refused');
    return sendError(reply, error);
  });
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, stratusError('REQUEST_ROUTE_NOT_FOUND', `No operation matches ${request.method} ${request.url.split('?')[0]}: check the API version prefix (/2015-03-31/) and the path.`)),
  );

  functionRoutes(app, deps);
  versionAliasRoutes(app, deps);
  invokeRoute(app, deps);
  nativeRoutes(app, deps);
  observabilityRoutes(app, { metrics: deps.metrics, metricsToken: deps.metricsToken, functions: deps.functions });
  return app;
}
