// One invocation in a stratus-isolate environment: event, context, process.env, results and Lambda-shaped errors.
import { functionId, partitionOf } from '../../shared/identity.ts';
import { describe, expect, it } from 'vitest';
import { makeRequest, payloadOf, useIsolateEngine } from './test-support.ts';

const isolates = useIsolateEngine();

describe('stratus-isolate invoke: context and environment', () => {
  it('passes the event and a Lambda context with the invocation facts', async () => {
    const env = await isolates.env(
      `exports.handler = async (event, context) => {
        const { getRemainingTimeInMillis, done, succeed, fail, ...facts } = context;
        return { event, facts, remaining: context.getRemainingTimeInMillis(), fns: [typeof done, typeof succeed, typeof fail] };
      };`,
      { partition: partitionOf(functionId('123456789012', 'orders'), '7', 'r1'), memoryMb: 128 },
    );
    const req = makeRequest({ payload: '{"id":42}', timeoutMs: 3_000, tenantId: 'tenant-a', clientContext: '{"custom":{"k":"v"}}' });
    const result = await env.invoke(req);
    expect(result.outcome).toBe('ok');
    const body = payloadOf(result);
    expect(body.event).toEqual({ id: 42 });
    expect(body.facts).toMatchObject({
      awsRequestId: req.requestId,
      functionName: 'orders',
      functionVersion: '7',
      invokedFunctionArn: req.invokedFunctionArn,
      memoryLimitInMB: '128',
      callbackWaitsForEmptyEventLoop: true,
      logGroupName: '/aws/lambda/orders',
      tenantId: 'tenant-a',
      clientContext: { custom: { k: 'v' } },
    });
    expect(body.facts.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[7\]env-[0-9a-f]+$/);
    expect(body.remaining).toBeGreaterThan(0);
    expect(body.remaining).toBeLessThanOrEqual(3_000);
    expect(body.fns).toEqual(['function', 'function', 'function']);
  });

  it('omits clientContext and tenantId when the request has none', async () => {
    const env = await isolates.env(`exports.handler = async (e, c) => ['clientContext' in c, 'tenantId' in c];`);
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual([false, false]);
  });

  it('exposes configured variables and Lambda’s own in process.env, and nothing of the host', async () => {
    const env = await isolates.env(`exports.handler = async () => process.env;`, {
      env: { TABLE: 'orders', AWS_LAMBDA_FUNCTION_NAME: 'spoofed' },
      partition: partitionOf(functionId('123456789012', 'fn-a'), '3', 'r1'),
      memoryMb: 256,
    });
    const vars = payloadOf(await env.invoke(makeRequest()));
    expect(vars).toMatchObject({
      TABLE: 'orders',
      AWS_LAMBDA_FUNCTION_NAME: 'fn-a',
      AWS_LAMBDA_FUNCTION_VERSION: '3',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '256',
      AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/fn-a',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      _HANDLER: 'index.handler',
      AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
      LAMBDA_TASK_ROOT: '/var/task',
      TZ: ':UTC',
    });
    // Lambda's own values, never the host's.
    expect(vars.PATH).toBe('/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin');
    expect(vars.PATH).not.toBe(process.env.PATH);
    expect(vars.HOME).toBeUndefined();
    expect(vars.USER).toBeUndefined();
    expect(Object.keys(vars).filter((k) => k.startsWith('STRATUS_'))).toEqual([]);
  });

  it('treats an empty payload as an empty object event', async () => {
    const env = await isolates.env(`exports.handler = async (e) => e;`);
    expect(payloadOf(await env.invoke(makeRequest({ payload: '' })))).toEqual({});
  });
});

describe('stratus-isolate invoke: results', () => {
  it('returns undefined as null', async () => {
    const env = await isolates.env(`exports.handler = async () => undefined;`);
    const result = await env.invoke(makeRequest());
    expect(result).toMatchObject({ outcome: 'ok', payload: 'null' });
  });

  it('ignores what a non-async handler returns, as Lambda does: it answers null once nothing is left to wait for', async () => {
    const env = await isolates.env(`exports.handler = (event) => ({ doubled: event.n * 2 });`);
    expect(await env.invoke(makeRequest({ payload: '{"n":21}' }))).toMatchObject({ outcome: 'ok', payload: 'null' });
  });

  it('uses toJSON as JSON.stringify does', async () => {
    const env = await isolates.env(`exports.handler = async () => ({ at: new Date(0), custom: { toJSON: () => 'x' } });`);
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual({ at: '1970-01-01T00:00:00.000Z', custom: 'x' });
  });

  it('fails an invocation whose result JSON cannot represent, and keeps the environment', async () => {
    const env = await isolates.env(`let n = 0; exports.handler = async () => { n++; if (n === 1) { const a = {}; a.self = a; return a; } return 10n ** 2n === 100n; };`);
    const first = await env.invoke(makeRequest());
    expect(first.outcome).toBe('error');
    expect(first.fatal).toBeUndefined();
    expect(payloadOf(first)).toMatchObject({ errorType: 'Error', errorMessage: 'Unable to stringify response body' });
    expect(payloadOf(await env.invoke(makeRequest()))).toBe(true);
  });
});

describe('stratus-isolate invoke: errors as Lambda reports them', () => {
  it('reports a thrown Error with its name, message and stack lines', async () => {
    const env = await isolates.env(`exports.handler = async () => { throw new RangeError('out of range'); };`);
    const result = await env.invoke(makeRequest());
    expect(result.outcome).toBe('error');
    expect(result.fatal).toBeUndefined();
    const error = payloadOf(result);
    expect(error.errorType).toBe('RangeError');
    expect(error.errorMessage).toBe('out of range');
    expect(error.trace[0]).toBe('RangeError: out of range');
    expect(error.trace.some((line: string) => line.includes('/var/task/index.js'))).toBe(true);
  });

  it('reports a custom error class by its name', async () => {
    const env = await isolates.env(
      `class NotFound extends Error { constructor(m) { super(m); this.name = 'NotFound'; } } exports.handler = async () => { throw new NotFound('no such order'); };`,
    );
    expect(payloadOf(await env.invoke(makeRequest()))).toMatchObject({ errorType: 'NotFound', errorMessage: 'no such order' });
  });

  it('reports a rejected promise like a throw', async () => {
    const env = await isolates.env(`exports.handler = () => Promise.reject(new TypeError('nope'));`);
    expect(payloadOf(await env.invoke(makeRequest()))).toMatchObject({ errorType: 'TypeError', errorMessage: 'nope' });
  });

  it('fails with Runtime.UnhandledPromiseRejection when a promise is rejected and never handled, keeping the logs and none of the host’s stack', async () => {
    const env = await isolates.env(`exports.handler = async () => { console.log('before'); Promise.reject(new TypeError('nobody caught me')); return 'fine'; };`);
    const result = await env.invoke(makeRequest());
    expect(result.outcome).toBe('error');
    expect(result.fatal).toBe('crash');
    const error = payloadOf(result);
    expect(error).toMatchObject({ errorType: 'Runtime.UnhandledPromiseRejection', errorMessage: 'TypeError: nobody caught me' });
    expect(error.trace[0]).toBe('Runtime.UnhandledPromiseRejection: TypeError: nobody caught me');
    expect(JSON.stringify(error.trace)).not.toMatch(/file:\/\/|isolated-vm/);
    expect(result.logs).toContain('\tINFO\tbefore\n');
    expect(result.logs).toContain('\tERROR\tUnhandled Promise Rejection \t{"errorType":"Runtime.UnhandledPromiseRejection"');
  });

  it('reports thrown non-Error values with their typeof, as Lambda does', async () => {
    const env = await isolates.env(`
      const values = ['plain string', 42, { code: 7 }, null, undefined];
      let i = 0;
      exports.handler = async () => { throw values[i++]; };
    `);
    const seen = [];
    for (let i = 0; i < 5; i++) seen.push(payloadOf(await env.invoke(makeRequest())));
    expect(seen[0]).toEqual({ errorType: 'string', errorMessage: 'plain string', trace: [] });
    expect(seen[1]).toEqual({ errorType: 'number', errorMessage: '42', trace: [] });
    expect(seen[2]).toEqual({ errorType: 'object', errorMessage: '[object Object]', trace: [] });
    expect(seen[3].errorType).toBe('handled');
    expect(seen[4].errorType).toBe('handled');
  });

  it('reports a stack overflow as an ordinary RangeError and keeps the environment', async () => {
    const env = await isolates.env(`exports.handler = async (e) => { if (e.deep) { const f = () => f() + 1; f(); } return 'fine'; };`);
    const deep = await env.invoke(makeRequest({ payload: '{"deep":true}' }));
    expect(payloadOf(deep)).toMatchObject({ errorType: 'RangeError', errorMessage: 'Maximum call stack size exceeded' });
    expect(deep.fatal).toBeUndefined();
    expect(payloadOf(await env.invoke(makeRequest()))).toBe('fine');
  });

  it('fails with Lambda’s Runtime.NodeJsExit when the handler’s promise can never settle', async () => {
    const env = await isolates.env(`exports.handler = () => new Promise(() => {});`);
    const result = await env.invoke(makeRequest());
    expect(result.outcome).toBe('error');
    expect(result.fatal).toBeUndefined();
    expect(payloadOf(result)).toEqual({
      errorType: 'Runtime.NodeJsExit',
      errorMessage:
        "Error: Runtime exited without providing a reason: the handler's promise never settled and nothing was left to wait for (a promise nobody resolves, or work not awaited)",
      trace: [],
    });
  });
});

describe('stratus-isolate invoke: callback-style handlers', () => {
  it('answers with callback(null, result)', async () => {
    const env = await isolates.env(`exports.handler = (event, context, callback) => { setTimeout(() => callback(null, { got: event.v }), 5); };`);
    expect(payloadOf(await env.invoke(makeRequest({ payload: '{"v":1}' })))).toEqual({ got: 1 });
  });

  it('answers with callback(err) as an error', async () => {
    const env = await isolates.env(`exports.handler = (event, context, callback) => callback(new Error('bad input'));`);
    expect(payloadOf(await env.invoke(makeRequest()))).toMatchObject({ errorType: 'Error', errorMessage: 'bad input' });
  });

  it('waits for pending timers after the callback unless callbackWaitsForEmptyEventLoop is false', async () => {
    const code = (waits: boolean) => `
      let flushed = 0;
      exports.handler = (event, context, callback) => {
        context.callbackWaitsForEmptyEventLoop = ${waits};
        setTimeout(() => { flushed++; console.log('flushed'); }, 30);
        callback(null, 'answered');
      };`;
    const waiting = await isolates.env(code(true));
    const waited = await waiting.invoke(makeRequest());
    expect(payloadOf(waited)).toBe('answered');
    expect(waited.logs).toContain('\tflushed\n');

    const eager = await isolates.env(code(false));
    const early = await eager.invoke(makeRequest());
    expect(payloadOf(early)).toBe('answered');
    expect(early.logs).not.toContain('flushed');
  });

  it('supports the legacy context.succeed / context.fail / context.done', async () => {
    const env = await isolates.env(`
      let i = 0;
      exports.handler = (event, context, cb) => {
        i++;
        if (i === 1) context.succeed({ ok: true });
        else if (i === 2) context.fail(new Error('failed'));
        else context.done(null, 'done');
      };`);
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual({ ok: true });
    expect(payloadOf(await env.invoke(makeRequest()))).toMatchObject({ errorMessage: 'failed' });
    expect(payloadOf(await env.invoke(makeRequest()))).toBe('done');
  });

  it('answers null when a callback handler leaves nothing to wait for without calling back', async () => {
    const env = await isolates.env(`exports.handler = (event, context, callback) => {};`);
    expect(await env.invoke(makeRequest())).toMatchObject({ outcome: 'ok', payload: 'null' });
  });

  it('answers a non-async handler that finishes with context.succeed after a timer (it returns undefined at once)', async () => {
    const env = await isolates.env(`exports.handler = function (event, context) { setTimeout(() => context.succeed({ late: event.v }), 20); };`);
    expect(payloadOf(await env.invoke(makeRequest({ payload: '{"v":7}' })))).toEqual({ late: 7 });
  });

  it('answers callback(err) at once, without waiting for pending timers', async () => {
    const env = await isolates.env(`
      exports.handler = (event, context, callback) => {
        setTimeout(() => console.log('still pending'), 200);
        callback(new Error('refused'));
      };`);
    const result = await env.invoke(makeRequest());
    expect(payloadOf(result)).toMatchObject({ errorType: 'Error', errorMessage: 'refused' });
    expect(result.logs).not.toContain('still pending');
  });

  it('answers context.done / succeed at once, even with timers pending', async () => {
    const env = await isolates.env(`
      exports.handler = (event, context) => {
        setTimeout(() => console.log('still pending'), 200);
        context.succeed('now');
      };`);
    const result = await env.invoke(makeRequest());
    expect(payloadOf(result)).toBe('now');
    expect(result.logs).not.toContain('still pending');
  });

  it('fails with "handled" when context.fail is called without an error, as Lambda does', async () => {
    const env = await isolates.env(`exports.handler = (event, context) => { context.fail(); };`);
    expect(payloadOf(await env.invoke(makeRequest()))).toEqual({ errorType: 'string', errorMessage: 'handled', trace: [] });
  });

  it('keeps the first answer when a handler calls back twice or mixes callback and context', async () => {
    const env = await isolates.env(`exports.handler = (e, context, callback) => { context.succeed('first'); callback(null, 'second'); context.fail(new Error('third')); };`);
    expect(payloadOf(await env.invoke(makeRequest()))).toBe('first');
  });

  it('uses the first answer when a handler both calls back and resolves', async () => {
    const env = await isolates.env(`exports.handler = async (e, c, callback) => { callback(null, 'first'); return 'second'; };`);
    expect(payloadOf(await env.invoke(makeRequest()))).toBe('first');
  });
});
