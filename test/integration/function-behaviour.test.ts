// What a handler sees and how its failures come back: context, env, logs, errors, timeouts, memory, warm state.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFunctionCommand, InvokeCommand, UpdateFunctionConfigurationCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { decode, startTestServer, zipOf, type TestServer } from '../support/server.ts';

let server: TestServer;
let lambda: LambdaClient;

beforeAll(async () => {
  server = await startTestServer();
  lambda = server.lambda();
});
afterAll(async () => {
  lambda?.destroy();
  await server?.stop();
});

async function deploy(name: string, source: string, extra: { MemorySize?: number; Timeout?: number; Environment?: { Variables: Record<string, string> } } = {}) {
  await lambda.send(new CreateFunctionCommand({ FunctionName: name, Code: { ZipFile: zipOf({ 'index.js': source }) }, Handler: 'index.handler', Role: 'r', ...extra }));
}

async function run(name: string, payload: unknown = {}) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)), LogType: 'Tail' }));
  return { error: out.FunctionError, body: decode(out.Payload) as Record<string, unknown>, log: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8') };
}

describe('the handler', () => {
  it('gets a Lambda context and its environment variables', async () => {
    await deploy(
      'ctx',
      `exports.handler = async (event, context) => ({
        id: context.awsRequestId, fn: context.functionName, ver: context.functionVersion, arn: context.invokedFunctionArn,
        mem: context.memoryLimitInMB, left: context.getRemainingTimeInMillis(), env: process.env.GREETING });`,
      { MemorySize: 192, Timeout: 9, Environment: { Variables: { GREETING: 'hello' } } },
    );
    const { body } = await run('ctx');
    expect(body.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).toMatchObject({ fn: 'ctx', ver: '$LATEST', mem: '192', env: 'hello' });
    expect(body.arn).toMatch(/:function:ctx$/);
    expect(body.left).toBeGreaterThan(0);
    expect(body.left).toBeLessThanOrEqual(9000);
  });

  it('keeps module state across warm invocations, and loses it when the configuration changes', async () => {
    await deploy('counter', 'let n = 0; exports.handler = async () => ++n;');
    expect((await run('counter')).body).toBe(1);
    expect((await run('counter')).body).toBe(2);
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'counter', Description: 'changed' }));
    expect((await run('counter')).body).toBe(1);
  });

  it('runs timers inside the environment', async () => {
    await deploy('sleepy', 'exports.handler = async () => { const t0 = Date.now(); await new Promise(r => setTimeout(r, 50)); return Date.now() - t0; };');
    const { body, error } = await run('sleepy');
    expect(error).toBeUndefined();
    expect(body).toBeGreaterThanOrEqual(45);
  });
});

describe('failures', () => {
  it('reports thrown errors, thrown values and rejections as Unhandled', async () => {
    await deploy('throws', 'class MyError extends Error { constructor(m) { super(m); this.name = "MyError"; } } exports.handler = async () => { throw new MyError("boom"); };');
    const thrown = await run('throws');
    expect(thrown.error).toBe('Unhandled');
    expect(thrown.body).toMatchObject({ errorType: 'MyError', errorMessage: 'boom' });
    expect(Array.isArray(thrown.body.trace)).toBe(true);

    await deploy('throws-string', 'exports.handler = async () => { throw "just a string"; };');
    const str = await run('throws-string');
    expect(str.error).toBe('Unhandled');
    expect(JSON.stringify(str.body)).toContain('just a string');

    await deploy('rejects', 'exports.handler = () => Promise.reject(new RangeError("nope"));');
    expect((await run('rejects')).body).toMatchObject({ errorType: 'RangeError', errorMessage: 'nope' });
  });

  it('stops a handler at its timeout and discards only that environment', async () => {
    await deploy('spin', 'let calls = 0; exports.handler = async (e) => { calls++; if (e.spin) for (;;) {} return calls; };', { Timeout: 1 });
    await deploy('steady', 'exports.handler = async (e) => { await new Promise(r => setTimeout(r, 200)); return e; };');
    expect((await run('spin')).body).toBe(1);
    const [spun, steady] = await Promise.all([run('spin', { spin: true }), run('steady', { ok: 1 })]);
    expect(spun.error).toBe('Unhandled');
    expect(spun.body.errorType).toBe('Sandbox.Timedout');
    expect(String(spun.body.errorMessage)).toMatch(/Task timed out after 1\.00 seconds/);
    expect(steady).toMatchObject({ error: undefined, body: { ok: 1 } });
    // The timed-out environment is gone: a fresh one starts from a fresh module.
    expect((await run('spin')).body).toBe(1);
  });

  it('stops a handler past its memory and discards that environment', async () => {
    await deploy('hog', 'exports.handler = async () => { const a = []; for (;;) a.push(new Array(100000).fill(Math.random())); };', { MemorySize: 128, Timeout: 20 });
    const { error, body } = await run('hog');
    expect(error).toBe('Unhandled');
    expect(body.errorType).toBe('Runtime.OutOfMemory');
    expect((await run('ctx')).error).toBeUndefined();
  });

  it('truncates unbounded console output', async () => {
    await deploy('chatty', 'exports.handler = async () => { for (let i = 0; i < 200000; i++) console.log("line " + i + " " + "x".repeat(100)); return "done"; };', { Timeout: 30 });
    const { body, log } = await run('chatty');
    expect(body).toBe('done');
    expect(Buffer.byteLength(log)).toBeLessThanOrEqual(4096);
    // The invocation wrote ~21 MB; what is kept ends with the truncation notice, then Lambda's framing.
    expect(log).toMatch(/log output truncated: this invocation wrote more than \d+ bytes of logs\nEND RequestId/);
    expect(log).toMatch(/REPORT RequestId/);
  });
});
