// Real-world handler shapes with the npm packages their authors use, packaged as Lambda users
// package them (node_modules in the zip), deployed and invoked through the AWS SDK with realistic
// events. Each must run on stratus-isolate unchanged.
import { createHmac, generateKeyPairSync } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import jwt from 'jsonwebtoken';
import { v5 as uuidv5 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { decode, useTestServer } from '../support/server.ts';
import { packageZip } from './package-zip.ts';

const t = useTestServer();

async function deploy(name: string, sources: Record<string, string>, packages: string[] = [], handler = 'index.handler', env: Record<string, string> = {}) {
  await t.lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Code: { ZipFile: packageZip(sources, packages) },
      Handler: handler,
      Role: 'arn:aws:iam::123456789012:role/lambda',
      Timeout: 10,
      Environment: { Variables: env },
    }),
  );
}

async function invoke(name: string, event: unknown) {
  const out = await t.lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(event)) }));
  return { error: out.FunctionError, body: decode(out.Payload) as Record<string, unknown> };
}

/** An API Gateway HTTP API (payload format 2.0) event. */
function httpApiEvent(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...headers },
    requestContext: { http: { method, path, sourceIp: '203.0.113.7' }, requestId: 'req-1', stage: '$default' },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

describe('real-world handlers on stratus-isolate', () => {
  it('an API Gateway authorizer that verifies HS256 tokens with jsonwebtoken', async () => {
    await deploy(
      'jwt-hs256',
      {
        'index.js': `
          const jwt = require('jsonwebtoken');
          exports.handler = async (event) => {
            const token = (event.headers.authorization || '').replace(/^Bearer /, '');
            try {
              const claims = jwt.verify(token, process.env.JWT_SECRET, { algorithms: ['HS256'], audience: 'orders' });
              return { isAuthorized: true, context: { sub: claims.sub, scope: claims.scope } };
            } catch (err) {
              return { isAuthorized: false, context: { reason: err.name + ': ' + err.message } };
            }
          };`,
      },
      ['jsonwebtoken'],
      'index.handler',
      { JWT_SECRET: 'a-very-secret-value' },
    );
    const good = jwt.sign({ sub: 'user-7', scope: 'read' }, 'a-very-secret-value', { audience: 'orders', expiresIn: 60 });
    expect((await invoke('jwt-hs256', httpApiEvent('GET', '/orders', undefined, { authorization: `Bearer ${good}` }))).body).toEqual({
      isAuthorized: true,
      context: { sub: 'user-7', scope: 'read' },
    });
    const forged = jwt.sign({ sub: 'user-7' }, 'wrong-secret', { audience: 'orders' });
    expect((await invoke('jwt-hs256', httpApiEvent('GET', '/orders', undefined, { authorization: `Bearer ${forged}` }))).body).toEqual({
      isAuthorized: false,
      context: { reason: 'JsonWebTokenError: invalid signature' },
    });
  });

  it('a service that issues RS256 tokens with jsonwebtoken, checked on the host', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // The key is too large for an environment variable (4 KB in all), as in Lambda: it ships in the package.
    await deploy(
      'jwt-rs256-file',
      {
        'index.mjs': `
          import jwt from 'jsonwebtoken';
          import { key } from './key.mjs';
          export const handler = async (event) => {
            const body = JSON.parse(event.body);
            const token = jwt.sign({ sub: body.user, roles: ['admin'] }, key, { algorithm: 'RS256', expiresIn: '5m', issuer: 'stratus-test' });
            return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token }) };
          };`,
        'key.mjs': `export const key = ${JSON.stringify(privateKey.export({ format: 'pem', type: 'pkcs8' }))};`,
      },
      ['jsonwebtoken'],
    );
    const { body } = await invoke('jwt-rs256-file', httpApiEvent('POST', '/tokens', { user: 'ana' }));
    expect(body.statusCode).toBe(201);
    const { token } = JSON.parse(String(body.body)) as { token: string };
    expect(jwt.verify(token, publicKey, { algorithms: ['RS256'], issuer: 'stratus-test' })).toMatchObject({ sub: 'ana', roles: ['admin'] });
  });

  it('an HTTP API handler that creates orders with uuid ids and lodash', async () => {
    await deploy(
      'orders',
      {
        'index.js': `
          const { v4: uuidv4, v5: uuidv5, validate } = require('uuid');
          const _ = require('lodash');
          const NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
          exports.handler = async (event) => {
            if (event.requestContext.http.method !== 'POST') return { statusCode: 405, body: 'Method Not Allowed' };
            const input = JSON.parse(event.body || '{}');
            const lines = _.map(input.items, (i) => ({ ..._.pick(i, ['sku', 'qty']), total: _.round(i.qty * i.price, 2) }));
            const order = { id: uuidv4(), customerKey: uuidv5(input.customer, NAMESPACE), lines, total: _.sumBy(lines, 'total'), skus: _.uniq(_.map(lines, 'sku')).sort() };
            return { statusCode: 201, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...order, valid: validate(order.id) }) };
          };`,
      },
      ['uuid', 'lodash'],
    );
    const { body } = await invoke(
      'orders',
      httpApiEvent('POST', '/orders', {
        customer: 'c-42',
        items: [
          { sku: 'b', qty: 2, price: 1.005 },
          { sku: 'a', qty: 1, price: 10 },
        ],
      }),
    );
    expect(body.statusCode).toBe(201);
    const order = JSON.parse(String(body.body));
    expect(order).toMatchObject({ valid: true, total: 12.01, skus: ['a', 'b'], customerKey: uuidv5('c-42', '6ba7b811-9dad-11d1-80b4-00c04fd430c8') });
    expect(order.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4/);
  });

  it('a GitHub webhook receiver that checks the HMAC signature with timingSafeEqual', async () => {
    await deploy(
      'webhook',
      {
        'index.js': `
          const crypto = require('node:crypto');
          exports.handler = async (event) => {
            const signature = event.headers['x-hub-signature-256'] || '';
            const body = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
            const expected = 'sha256=' + crypto.createHmac('sha256', process.env.WEBHOOK_SECRET).update(body).digest('hex');
            const ok = signature.length === expected.length && crypto.timingSafeEqual(Buffer.from(signature), Buffer.from(expected));
            if (!ok) return { statusCode: 401, body: 'bad signature' };
            const payload = JSON.parse(body);
            return { statusCode: 200, body: JSON.stringify({ received: payload.action, repo: payload.repository.full_name }) };
          };`,
      },
      [],
      'index.handler',
      { WEBHOOK_SECRET: 'hook-secret' },
    );
    const body = JSON.stringify({ action: 'opened', repository: { full_name: 'acme/app' } });
    const sig = `sha256=${createHmac('sha256', 'hook-secret').update(body).digest('hex')}`;
    const event = { ...httpApiEvent('POST', '/hook'), body: Buffer.from(body).toString('base64'), isBase64Encoded: true, headers: { 'x-hub-signature-256': sig } };
    expect((await invoke('webhook', event)).body).toEqual({ statusCode: 200, body: JSON.stringify({ received: 'opened', repo: 'acme/app' }) });
    expect(((await invoke('webhook', { ...event, headers: { 'x-hub-signature-256': `${sig.slice(0, -1)}0` } })).body as { statusCode: number }).statusCode).toBe(401);
  });

  it('a CloudWatch Logs subscription handler (base64, gzip) and a Kinesis consumer', async () => {
    await deploy('logs-consumer', {
      'index.js': `
        const zlib = require('zlib');
        const { promisify } = require('util');
        const gunzip = promisify(zlib.gunzip);
        exports.handler = async (event) => {
          const data = JSON.parse((await gunzip(Buffer.from(event.awslogs.data, 'base64'))).toString('utf8'));
          return { group: data.logGroup, count: data.logEvents.length, errors: data.logEvents.filter((e) => e.message.includes('ERROR')).map((e) => e.id) };
        };`,
    });
    const logs = {
      messageType: 'DATA_MESSAGE',
      logGroup: '/aws/lambda/app',
      logStream: 's',
      logEvents: [
        { id: '1', timestamp: 1, message: 'ok' },
        { id: '2', timestamp: 2, message: 'ERROR boom' },
      ],
    };
    expect((await invoke('logs-consumer', { awslogs: { data: gzipSync(JSON.stringify(logs)).toString('base64') } })).body).toEqual({
      group: '/aws/lambda/app',
      count: 2,
      errors: ['2'],
    });

    await deploy('kinesis-consumer', {
      'index.mjs': `
        export const handler = async (event) => {
          const failures = [];
          const totals = {};
          for (const record of event.Records) {
            try {
              const item = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8'));
              totals[item.user] = (totals[item.user] || 0) + item.amount;
            } catch {
              failures.push({ itemIdentifier: record.kinesis.sequenceNumber });
            }
          }
          console.log('processed', event.Records.length, 'records');
          return { batchItemFailures: failures, totals };
        };`,
    });
    const record = (seq: string, data: string) => ({ eventSource: 'aws:kinesis', kinesis: { sequenceNumber: seq, partitionKey: 'p', data: Buffer.from(data).toString('base64') } });
    expect((await invoke('kinesis-consumer', { Records: [record('1', '{"user":"a","amount":2}'), record('2', 'not json'), record('3', '{"user":"a","amount":3}')] })).body).toEqual(
      { batchItemFailures: [{ itemIdentifier: '2' }], totals: { a: 5 } },
    );
  });

  it('a callback-style handler that answers after an async step, and a Middy-wrapped handler', async () => {
    await deploy('callback-style', {
      'index.js': `
        exports.handler = function (event, context, callback) {
          setTimeout(function () {
            callback(null, { statusCode: 200, body: 'hello ' + event.name + ' from ' + context.functionName });
          }, 5);
        };`,
    });
    expect((await invoke('callback-style', { name: 'ana' })).body).toEqual({ statusCode: 200, body: 'hello ana from callback-style' });

    await deploy(
      'middy',
      {
        'index.mjs': `
          import middy from '@middy/core';
          const lower = () => ({ before: (request) => { request.event.name = String(request.event.name).toLowerCase(); } });
          const timing = () => ({ after: (request) => { request.response = { ...request.response, wrapped: true }; } });
          export const handler = middy().use(lower()).use(timing()).handler(async (event) => ({ greeting: 'hi ' + event.name }));`,
      },
      ['@middy/core'],
    );
    expect((await invoke('middy', { name: 'ANA' })).body).toEqual({ greeting: 'hi ana', wrapped: true });
  });
});
