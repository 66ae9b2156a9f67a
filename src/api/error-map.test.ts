// The API edge's error answer: Lambda's shape, and Retry-After decided by the error's retryability.
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { ERROR_CODES, stratusError, type CodeSpec, type ErrorCode, type StratusError } from '../shared/errors.ts';
import { LAMBDA_EXCEPTION, sendError } from './error-map.ts';

const app = Fastify();
let next: StratusError;
app.get('/', async (_request, reply) => sendError(reply, next));
afterAll(() => app.close());

async function answer(error: StratusError) {
  next = error;
  const res = await app.inject({ method: 'GET', url: '/' });
  return { status: res.statusCode, type: res.headers['x-amzn-errortype'], retryAfter: res.headers['retry-after'], body: res.json() };
}

/** One error of each code, every placeholder filled, with a wait the throw site claims to know. */
function sample(code: ErrorCode, retryAfterSeconds: number): StratusError {
  const { message } = ERROR_CODES[code];
  const template = typeof message === 'string' ? message : Object.values(message)[0]!;
  const situation = typeof message === 'string' ? '' : `.${Object.keys(message)[0]}`;
  const args = Object.fromEntries([...template.matchAll(/\{(\w+)\}/g)].map((m) => [m[1]!, 'x']));
  return stratusError(`${code}${situation}` as never, { ...args, retryAfterSeconds } as never);
}

describe('sendError', () => {
  it.each(Object.keys(ERROR_CODES) as ErrorCode[])('%s: Retry-After only when the catalogue calls it retryable', async (code) => {
    const res = await answer(sample(code, 7));
    expect(res.status).toBe(ERROR_CODES[code].status);
    expect(res.type).toBe(LAMBDA_EXCEPTION[code]);
    const spec: CodeSpec = ERROR_CODES[code];
    expect(res.retryAfter).toBe(spec.retryable ? '7' : undefined);
  });

  it('answers a throttle in Lambda’s TooManyRequestsException shape, wait in header and body', async () => {
    const err = stratusError('TENANT_LIMIT_EXCEEDED.concurrency', { tenant: 't', inFlight: 2, name: 'f', limit: 2, details: { Reason: 'ConcurrentInvocationLimitExceeded' } });
    expect(await answer(err)).toEqual({
      status: 429,
      type: 'TooManyRequestsException',
      retryAfter: '1',
      body: { Reason: 'ConcurrentInvocationLimitExceeded', Type: 'User', message: err.message, code: 'TENANT_LIMIT_EXCEEDED', retryAfterSeconds: '1' },
    });
  });

  it('sends no wait for a retryable error that has none, and keeps ServiceException’s shape', async () => {
    const res = await answer(stratusError('INTERNAL.poolClosed'));
    expect(res).toMatchObject({ status: 500, type: 'ServiceException', retryAfter: undefined });
    expect(res.body).toEqual({ Type: 'Service', message: 'Stratus hit an internal error; the request can be retried. The server log has the details.', code: 'INTERNAL' });
  });

  it('never tells a client to retry a user error, even if a wait was attached', async () => {
    const res = await answer(stratusError('FUNCTION_EXISTS', { name: 'f', retryAfterSeconds: 30 }));
    expect(res).toMatchObject({ status: 409, type: 'ResourceConflictException', retryAfter: undefined });
    expect(res.body).not.toHaveProperty('retryAfterSeconds');
  });

  it('shows a system error’s stand-in message, not the internals in its own', async () => {
    const res = await answer(stratusError('INTERNAL.zipMissing', { sha256: 'c0ffee', name: 'payroll' }));
    expect(JSON.stringify(res.body)).not.toMatch(/c0ffee|payroll/);
  });
});
