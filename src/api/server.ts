/** @module Builds the Fastify server: body handling, auth, routes, and Lambda-shaped errors. */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { stratusError } from '../shared/errors.ts';
import { accessKeyOf, installAuth } from './auth.ts';
import { installBodyIntake } from './body.ts';
import { releaseWhenClosed, type ApiDeps } from './context.ts';
import { sendError, toStratusError } from './error-map.ts';
import { parseQuery, refuseRepeatedParameters } from './query.ts';
import { functionRoutes } from './routes/functions.ts';
import { invokeRoute } from './routes/invoke.ts';
import { PUBLIC_PREFIXES, nativeRoutes } from './routes/native.ts';
import { tagRoutes } from './routes/tags.ts';
import { versionAliasRoutes } from './routes/versions-aliases.ts';
import { observabilityRoutes } from './routes/observability.ts';

/**
 * The body limit of every route that names none: control-plane documents are a few hundred bytes
 * (4 KB of environment variables at most). Code uploads and Invoke set their own.
 */
const DEFAULT_BODY_LIMIT = 64 * 1024;
/** How long a control-plane request waits for a slot before it is turned away with 429. */
const CONTROL_WAIT_MS = 10_000;

const controlBusy = () => stratusError('REQUEST_THROTTLED.control', { seconds: CONTROL_WAIT_MS / 1000 });

export function buildServer(deps: ApiDeps & { logger: Logger }): FastifyInstance {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Bounds the time to receive a whole request (not to answer it), so a client that sends
    // headers and then stalls cannot hold an admission slot or a body buffer indefinitely.
    requestTimeout: 30_000,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 500, querystringParser: parseQuery },
    // One access line per request comes from the onResponse hook below, without headers or bodies.
    logController: new LogController({ disableRequestLogging: true }),
    requestIdHeader: false,
    genReqId: () => crypto.randomUUID(),
  });

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-amzn-RequestId', request.id);
  });
  app.addHook('onRequest', refuseRepeatedParameters);
  app.addHook('onResponse', async (request, reply) => {
    request.log.info({ method: request.method, url: request.routeOptions.url, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
  });

  installAuth(app, { accounts: deps.accounts, clock: deps.clock, region: deps.region, publicPrefixes: PUBLIC_PREFIXES });
  // Every body is kept raw (SigV4 hashes the exact bytes, Invoke payloads pass through untouched),
  // read only after the headers were authenticated, within byte budgets per access key and node.
  installBodyIntake(app, deps.bodyBudget, accessKeyOf);
  // Signed control-plane requests take a slot each, served account first; Invoke has its own admission.
  app.addHook('preHandler', async (request, reply) => {
    if (request.account === undefined || (request.routeOptions.config as { ownAdmission?: boolean }).ownAdmission) return;
    releaseWhenClosed(reply, await deps.controlAdmission.acquire([request.account.id, request.routeOptions.url ?? ''], { timeoutMs: CONTROL_WAIT_MS, error: controlBusy }));
  });

  app.setErrorHandler((err, request, reply) => {
    const { error, unexpected } = toStratusError(err);
    if (unexpected) request.log.error({ err, code: error.code }, 'request failed');
    else request.log.debug({ code: error.code, msg: error.message }, 'request refused');
    return sendError(reply, error);
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, stratusError('REQUEST_ROUTE_NOT_FOUND', { method: request.method, path: request.url.split('?')[0]! })));

  functionRoutes(app, deps);
  versionAliasRoutes(app, deps);
  invokeRoute(app, deps);
  tagRoutes(app, deps);
  nativeRoutes(app, deps);
  observabilityRoutes(app, { metrics: deps.metrics, metricsToken: deps.metricsToken, functions: deps.functions });
  return app;
}
