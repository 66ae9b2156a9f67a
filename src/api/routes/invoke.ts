/** @module The Invoke route: Lambda's headers in (invocation type, log type, client context), Lambda's headers out. */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { parseFunctionRef } from '../../control/index.ts';
import { MAX_SYNC_PAYLOAD_BYTES, type InvocationType } from '../../invoke/index.ts';
import type { FlowPath } from '../../invoke/index.ts';
import { stratusError } from '../../shared/errors.ts';
import { callerOf, releaseWhenClosed, type ApiDeps } from '../context.ts';

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

/** How long a request waits for an admission slot before it is turned away with 429. */
const ADMISSION_WAIT_MS = 10_000;

const nodeBusy = () =>
  stratusError('REQUEST_THROTTLED.invoke', {
    seconds: ADMISSION_WAIT_MS / 1000,
    details: { Reason: 'ConcurrentInvocationLimitExceeded' },
  });

/** Longest function name or tenant id kept in an admission flow; longer ones are refused by the invocation. */
const MAX_NAME_PART = 256;

/** The admission flow of an invocation whose signature checked out: account, function (without qualifier), tenant. */
function flowOf(request: FastifyRequest): FlowPath {
  const raw = (request.params as { FunctionName?: string }).FunctionName ?? '';
  let name = raw;
  try {
    name = parseFunctionRef(raw).name;
  } catch {
    // A malformed name is refused by the invocation itself; for admission it is just another flow.
  }
  // Tenant ids are checked by the invocation (256 characters at most); the flow keeps no more than that.
  return [callerOf(request).id, name.slice(0, MAX_NAME_PART), (header(request.headers['x-amz-tenant-id']) ?? '').slice(0, MAX_NAME_PART)];
}

export function invokeRoute(app: FastifyInstance, deps: ApiDeps): void {
  // Admission comes after authentication: the body has been read under its byte budgets and the
  // signature verified, so only a caller holding the secret can take a slot. Waiting requests are
  // served account first (fair-scheduler.ts).
  const admit = async (request: FastifyRequest, reply: FastifyReply) => {
    const flow = flowOf(request);
    deps.activeFlow?.(flow.join('\u0000'));
    releaseWhenClosed(reply, await deps.admission.acquire(flow, { timeoutMs: ADMISSION_WAIT_MS, error: nodeBusy }));
  };
  app.post('/2015-03-31/functions/:FunctionName/invocations', { bodyLimit: MAX_SYNC_PAYLOAD_BYTES, config: { ownAdmission: true } }, async (request, reply) => {
    const h = request.headers;
    const logType = header(h['x-amz-log-type']) ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') throw stratusError('REQUEST_INVALID_PARAMETER.logType', { value: logType });
    const invocation = {
      accountId: callerOf(request).id,
      functionName: (request.params as { FunctionName: string }).FunctionName,
      qualifier: (request.query as { Qualifier?: string }).Qualifier,
      invocationType: invocationType(header(h['x-amz-invocation-type'])),
      payload: (request.body as Buffer | undefined) ?? Buffer.alloc(0),
      logType,
      clientContext: clientContext(header(h['x-amz-client-context'])),
      tenantId: header(h['x-amz-tenant-id']),
    } as const;
    await admit(request, reply);
    const out = await deps.invoke(invocation);
    reply.header('X-Amz-Executed-Version', out.executedVersion);
    if (out.functionError) reply.header('X-Amz-Function-Error', out.functionError);
    if (out.logResult !== undefined) reply.header('X-Amz-Log-Result', out.logResult);
    reply.status(out.statusCode);
    if (out.statusCode === 204) return reply.send();
    return reply.header('content-type', 'application/json').send(out.payload);
  });
}
