// Secrets never reach the server log, even at trace level: access keys, signatures, environment variables.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, InvokeCommand, LambdaClient, UpdateFunctionConfigurationCommand } from '@aws-sdk/client-lambda';
import { startStratus, type RunningStratus } from '../../src/main.ts';
import { zipOf } from '../support/server.ts';
import { signedFetch } from '../support/signed-fetch.ts';

const ENV_SECRET = 'env-secret-value-6f1d2c';
let log = '';
let server: RunningStratus;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-secrets-'));
  const sink = new Writable({ write: (chunk, _enc, done) => ((log += String(chunk)), done()) });
  server = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'trace', logDestination: sink });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('keeps keys, signatures and environment variables out of the log', async () => {
  const creds = server.rootCredentials;
  const lambda = new LambdaClient({ endpoint: server.url, region: server.region, credentials: creds, maxAttempts: 1 });
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'secretive',
      Code: { ZipFile: zipOf({ 'index.js': 'exports.handler = async () => { throw new Error("failing on purpose"); };' }) },
      Handler: 'index.handler',
      Role: 'r',
      Environment: { Variables: { API_TOKEN: ENV_SECRET } },
    }),
  );
  await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'secretive', Environment: { Variables: { API_TOKEN: ENV_SECRET } } }));
  await lambda.send(new InvokeCommand({ FunctionName: 'secretive' }));
  const account = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: 'tenant-co' }), { credentials: creds });
  const newSecret = String(account.json().SecretAccessKey);
  await signedFetch(server.url, 'GET', '/2015-03-31/functions/', undefined, { credentials: { ...creds, secretAccessKey: 'a-wrong-secret-000000' } });
  lambda.destroy();

  expect(log.length).toBeGreaterThan(0);
  expect(log).toContain('request');
  for (const secret of [creds.secretAccessKey, newSecret, ENV_SECRET, 'Signature=']) {
    expect(log).not.toContain(secret);
  }
});
