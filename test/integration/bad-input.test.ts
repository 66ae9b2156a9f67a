// Malformed, oversized and hostile requests get a clear error naming the problem, and the server keeps serving.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import { startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { signedFetch, type RawResponse } from '../support/signed-fetch.ts';

let server: TestServer;
let call: (method: string, path: string, body?: string | Buffer, headers?: Record<string, string>) => Promise<RawResponse>;

beforeAll(async () => {
  server = await startTestServer();
  call = (method, path, body, headers) => signedFetch(server.url, method, path, body, { credentials: server.rootCredentials, headers });
});
afterAll(async () => server?.stop());

const create = (name: string, files: Record<string, string> | Uint8Array, extra: Record<string, unknown> = {}) =>
  call(
    'POST',
    '/2015-03-31/functions',
    JSON.stringify({
      FunctionName: name,
      Handler: 'index.handler',
      Code: { ZipFile: Buffer.from(files instanceof Uint8Array ? files : zipOf(files)).toString('base64') },
      ...extra,
    }),
  );

function expectError(res: RawResponse, status: number, type: string, message: RegExp): void {
  expect({ status: res.status, type: res.headers.get('x-amzn-errortype') }).toEqual({ status, type });
  expect(String(res.json().message)).toMatch(message);
}

describe('control plane input', () => {
  it('refuses a body that is not JSON', async () => {
    expectError(await call('POST', '/2015-03-31/functions', '{"FunctionName": '), 400, 'InvalidRequestContentException', /not valid JSON/);
    expectError(await call('POST', '/2015-03-31/functions', '[1,2]'), 400, 'InvalidRequestContentException', /JSON object/);
  });

  it('names the field and the allowed values of an invalid parameter', async () => {
    expectError(await create('t1', { 'index.js': '' }, { Timeout: 901 }), 400, 'InvalidParameterValueException', /Timeout.*1 to 900/);
    expectError(await create('t2', { 'index.js': '' }, { MemorySize: 'lots' }), 400, 'InvalidParameterValueException', /MemorySize/);
    expectError(await create('bad name!', { 'index.js': '' }), 400, 'InvalidParameterValueException', /FunctionName/);
    expectError(await create('t3', { 'index.js': '' }, { Environment: { Variables: { '1BAD': 'x' } } }), 400, 'InvalidParameterValueException', /Environment/);
    expectError(await call('POST', '/2015-03-31/functions', JSON.stringify({ FunctionName: 'nocode' })), 400, 'InvalidParameterValueException', /Code.*required/);
    expectError(await create('t4', { 'index.js': '' }, { Handler: 'has space.handler' }), 400, 'InvalidParameterValueException', /Handler/);
  });

  it('refuses a corrupt zip', async () => {
    expectError(await create('corrupt', new Uint8Array(Buffer.from('this is not a zip at all'))), 400, 'InvalidParameterValueException', /unzip|zip/i);
  });

  it('refuses a zip without the handler file, naming what it looked for', async () => {
    expectError(await create('nofile', { 'main.js': 'exports.handler = async () => 1;' }), 400, 'InvalidParameterValueException', /index\.js/);
  });

  it('refuses an export that is not a function', async () => {
    expectError(await create('notfn', { 'index.js': 'exports.handler = 42;' }), 400, 'InvalidParameterValueException', /HandlerNotFound|not a function|undefined or not exported/);
    expectError(await create('missingexport', { 'index.js': 'exports.other = async () => 1;' }), 400, 'InvalidParameterValueException', /handler/);
  });

  it('refuses a syntax error with file:line:column', async () => {
    expectError(await create('syntax', { 'index.js': 'exports.handler = async () => {\n  return 1 +;\n};' }), 400, 'InvalidParameterValueException', /index\.js:2:\d+/);
  });

  it('refuses a code upload over the body limit before reading it all', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${server.url}/2015-03-31/functions`, {
        method: 'POST',
        headers: { 'content-length': String(200 * 1024 * 1024), 'content-type': 'application/json' },
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', reject);
      req.write('{');
    });
    // Unsigned, so refused at the door before the body is buffered.
    expect(status).toBe(403);
  });

  it('answers an unknown route with a clear error', async () => {
    expectError(await call('GET', '/2016-01-01/nothing'), 404, 'UnknownOperationException', /No operation matches/);
  });

  it('refuses a bogus pagination marker', async () => {
    expectError(await call('GET', '/2015-03-31/functions/?Marker=%%%garbage'), 400, 'InvalidParameterValueException', /Marker/);
    expectError(await call('GET', '/2015-03-31/functions/?MaxItems=0'), 400, 'InvalidParameterValueException', /MaxItems/);
  });
});

describe('invoke input', () => {
  beforeAll(async () => {
    expect((await create('echo', { 'index.js': 'exports.handler = async (e) => e;' })).status).toBe(201);
  });

  it('refuses malformed JSON payloads', async () => {
    expectError(await call('POST', '/2015-03-31/functions/echo/invocations', '{"a":'), 400, 'InvalidRequestContentException', /Could not parse request body into json/);
  });

  it('refuses payloads over 6 MB with RequestTooLargeException', async () => {
    const big = Buffer.alloc(6 * 1024 * 1024 + 10, 0x20);
    expectError(await call('POST', '/2015-03-31/functions/echo/invocations', big), 413, 'RequestTooLargeException', /smaller than/);
  });

  it('refuses bad invocation and log types, and tenant ids for non-tenant functions', async () => {
    expectError(
      await call('POST', '/2015-03-31/functions/echo/invocations', '{}', { 'x-amz-invocation-type': 'Sometimes' }),
      400,
      'InvalidParameterValueException',
      /RequestResponse/,
    );
    expectError(await call('POST', '/2015-03-31/functions/echo/invocations', '{}', { 'x-amz-log-type': 'Verbose' }), 400, 'InvalidParameterValueException', /None or Tail/);
    expectError(await call('POST', '/2015-03-31/functions/echo/invocations', '{}', { 'x-amz-tenant-id': 'a' }), 400, 'InvalidParameterValueException', /tenant/);
    expectError(
      await call('POST', '/2015-03-31/functions/echo/invocations', '{}', { 'x-amz-client-context': '!!!notbase64json' }),
      400,
      'InvalidParameterValueException',
      /Client-Context/,
    );
  });

  it('refuses conflicting qualifiers and malformed names', async () => {
    expectError(await call('POST', '/2015-03-31/functions/echo:1/invocations?Qualifier=2', '{}'), 400, 'InvalidParameterValueException', /give only one/);
    expectError(await call('POST', `/2015-03-31/functions/${'x'.repeat(300)}/invocations`, '{}'), 400, 'InvalidParameterValueException', /FunctionName/);
  });

  it('keeps serving after all of the above', async () => {
    const res = await call('POST', '/2015-03-31/functions/echo/invocations', '{"still":"here"}');
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({ still: 'here' });
  });
});
