/** @module The Invoke route: Lambda's headers in (invocation type, log type, client context), Lambda's headers out. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseFunctionRef } from '../../control/index.ts';
import { MAX_SYNC_PAYLOAD_BYTES, type InvocationType } from '../../invoke/index.ts';
import { invalidParameter, stratusError } from '../../shared/errors.ts';
import { callerOf, type ApiDeps } from '../context.ts';

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function invocationType(value: string | undefined): InvocationType {
  if (value === undefined || value === 'RequestResponse') return 'RequestResponse';
  if (value === 'DryRun') return 'DryRun';
  if (value === 'Event') {
    throw stratusError('INVOKE_TYPE_UNSUPPORTED', 'X-Amz-Invocation-Type Event (asynchronous invocation) is not available on this Stratus yet: invoke with RequestResponse.');
  }
  throw invalidParameter('X-Amz-Invocation-Type', `'${value}' is not an invocation type: use RequestResponse, Event or DryRun`);
}

function clientContext(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (value.length > 3583) throw invalidParameter('X-Amz-Client-Context', 'must be at most 3583 bytes of base64');
  const text = Buffer.from(value, 'base64').toString('utf8');
  try {
    JSON.parse(text);
  } catch {
    throw invalidParameter('X-Amz-Client-Context', 'must be the base64 of a JSON object');
  }
  return text;
}

/** How long a request waits for an admission slot before it is turned away with 429. */
const ADMISSION_WAIT_MS = 10_000;

const nodeBusy = () =>
  stratusError('REQUEST_THROTTLED', `Rate Exceeded: this node had no room for the invocation within ${ADMISSION_WAIT_MS / 1000} s (other invocations hold every slot). Retry later.`, {
    retryAfterSeconds: 1,
    details: { Reason: 'ConcurrentInvocationLimitExceeded' },
  });

/** Longest flow key kept: names and tenant ids are validated later, and a key is held while its flow waits. */
const MAX_FLOW_KEY = 600;

/** The admission flow of a request: its account, function (without qualifier) and tenant. */
function flowOf(request: FastifyRequest): string {
  const raw = (request.params as { FunctionName?: string }).FunctionName ?? '';
  let name = raw;
  try {
    name = parseFunctionRef(raw).name;
  } catch {
    // A malformed name is refused by the handler; for admission it is just another flow.
  }
  return `${request.account?.id ?? ''}\u0000${name}\u0000${header(request.headers['x-amz-tenant-id']) ?? ''}`.slice(0, MAX_FLOW_KEY);
}

export function invokeRoute(app: FastifyInstance, deps: ApiDeps): void {
  /** The flow admission computed for each request, so the handler does not parse the name again. */
  const flows = new WeakMap<FastifyRequest, string>();
  // Runs after authentication's header checks: under load, a tenant's requests wait here, behind
  // its own earlier ones, before their bodies are read and their signatures are computed, so a
  // noisy tenant cannot crowd the event loop ahead of quiet ones. The slot is given back when the
  // response closes, however it closes: sent, failed, or the client gone while it waited.
  const onRequest = async (request: FastifyRequest, reply: FastifyReply) => {
    const flow = flowOf(request);
    flows.set(request, flow);
    const release = await deps.admission.acquire(flow, { timeoutMs: ADMISSION_WAIT_MS, error: nodeBusy });
    if (reply.raw.closed || request.raw.destroyed) release();
    else reply.raw.once('close', release);
  };
  app.post('/2015-03-31/functions/:FunctionName/invocations', { bodyLimit: MAX_SYNC_PAYLOAD_BYTES, onRequest }, async (request, reply) => {
    const h = request.headers;
    // Counted only now that the signature checked out, so invented tenant ids cannot switch pacing on.
    deps.activeFlow?.(flows.get(request) ?? flowOf(request));
    const logType = header(h['x-amz-log-type']) ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') throw invalidParameter('X-Amz-Log-Type', `'${logType}' is not a log type: use None or Tail`);
    const out = await deps.invoke({
      accountId: callerOf(request).id,
      functionName: (request.params as { FunctionName: string }).FunctionName,
      qualifier: (request.query as { Qualifier?: string }).Qualifier,
      invocationType: invocationType(header(h['x-amz-invocation-type'])),
      payload: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
      logType,
      clientContext: clientContext(header(h['x-amz-client-context'])),
      tenantId: header(h['x-amz-tenant-id']),
    });
    reply.header('X-Amz-Executed-Version', out.executedVersion);
    if (out.functionError) reply.header('X-Amz-Function-Error', out.functionError);
    if (out.logResult !== undefined) reply.header('X-Amz-Log-Result', out.logResult);
    reply.status(out.statusCode);
    if (out.statusCode === 204) return reply.send();
    return reply.header('content-type', 'application/json').send(out.payload);
  });
}
