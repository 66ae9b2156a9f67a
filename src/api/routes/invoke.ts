/** @module The Invoke route: Lambda's headers in (invocation type, log type, client context), the invocation pipeline, Lambda's HTTP shape out. */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { compose, frameLog, logTail, type InvocationContext, type Outcome } from '../../invoke/index.ts';
import { stratusError } from '../../shared/errors.ts';
import { functionTarget, releaseWhenClosed, type ApiDeps } from '../context.ts';

/** Lambda's bound on a synchronous invocation's request payload. */
export const MAX_SYNC_PAYLOAD_BYTES = 6 * 1024 * 1024;

type InvocationType = 'RequestResponse' | 'DryRun';

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function invocationType(value: string | undefined): InvocationType {
  if (value === undefined || value === 'RequestResponse') return 'RequestResponse';
  if (value === 'DryRun') return 'DryRun';
  if (value === 'Event') {
    throw stratusError('INVOKE_TYPE_UNSUPPORTED');
  }
  throw stratusError('REQUEST_INVALID_PARAMETER.invocationType', { value: value ?? '' });
}

function clientContext(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > 3583) throw stratusError('REQUEST_INVALID_PARAMETER.clientContextTooLong');
  const text = Buffer.from(value, 'base64').toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    throw stratusError('REQUEST_INVALID_PARAMETER.clientContextNotJson');
  }
  return text;
}

export function invokeRoute(app: FastifyInstance, deps: ApiDeps): void {
  const s = deps.stages;
  // Admission comes after authentication (the body has been read under its byte budgets and the
  // signature verified), so only a caller holding the secret can take a slot.
  const sync = compose([s.admission, s.resolve, s.tenancy, s.payload, s.limits, s.run]);
  // DryRun: the checks a call would pass, nothing run.
  const dryRun = compose([s.admission, s.resolve, s.tenancy]);

  app.post('/2015-03-31/functions/:FunctionName/invocations', { bodyLimit: MAX_SYNC_PAYLOAD_BYTES, config: { ownAdmission: true } }, async (request, reply) => {
    const h = request.headers;
    const logType = header(h['x-amz-log-type']) ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') throw stratusError('REQUEST_INVALID_PARAMETER.logType', { value: logType });
    const type = invocationType(header(h['x-amz-invocation-type']));
    const ctx: InvocationContext = {
      // As on Lambda, the response's x-amzn-RequestId is the invocation's id (context.awsRequestId).
      id: request.id,
      ref: functionTarget(request, deps.region),
      tenantId: header(h['x-amz-tenant-id']),
      rawPayload: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
      maxPayloadBytes: MAX_SYNC_PAYLOAD_BYTES,
      clientContext: clientContext(header(h['x-amz-client-context'])),
      attempt: 1,
      // The slot is held until the response is written, however it ends.
      holdAdmission: (release) => releaseWhenClosed(reply, release),
    };
    if (type === 'DryRun') {
      await dryRun(ctx);
      reply.header('X-Amz-Executed-Version', ctx.target?.record.version ?? '$LATEST');
      return reply.status(204).send();
    }
    const outcome = await sync(ctx);
    if (outcome === undefined) throw stratusError('INTERNAL.pipelineEnded');
    return sendOutcome(reply, ctx, outcome, logType === 'Tail');
  });
}

/** Lambda's shape of a synchronous answer: 200 with the result, or with the error and X-Amz-Function-Error. */
function sendOutcome(reply: FastifyReply, ctx: InvocationContext, outcome: Outcome, tail: boolean): FastifyReply {
  reply.header('X-Amz-Executed-Version', outcome.version);
  if (tail) {
    const t = outcome.timings;
    const memoryMb = ctx.target?.record.memoryMb ?? 0;
    const framed = frameLog(outcome.logs, {
      requestId: ctx.id,
      version: outcome.version,
      memoryMb,
      durationMs: t.durationMs,
      initDurationMs: t.initDurationMs,
      maxMemoryUsedMb: Math.ceil(t.memoryUsedBytes / 1048576),
    });
    reply.header('X-Amz-Log-Result', logTail(framed));
  }
  reply.status(200).header('content-type', 'application/json');
  switch (outcome.kind) {
    case 'succeeded':
      return reply.send(outcome.result);
    case 'failed':
      reply.header('X-Amz-Function-Error', 'Unhandled');
      return reply.send(JSON.stringify(outcome.error));
    case 'suspended':
      throw stratusError('INTERNAL.syncSuspended');
  }
}
