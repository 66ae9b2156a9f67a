// A restart loses nothing: functions, versions, aliases, limits and the admin key survive in the store (SQLite, or PostgreSQL in that project).
import { expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateAliasCommand, CreateFunctionCommand, InvokeCommand, LambdaClient, PublishVersionCommand } from '@aws-sdk/client-lambda';
import { startStratus } from '../../src/main.ts';
import { decode, testStore, zipOf } from '../support/server.ts';

it('serves the same functions with the same key after a restart on the same data folder', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-restart-'));
  const store = await testStore();
  try {
    const first = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', ...store.config });
    const client = new LambdaClient({ endpoint: first.url, region: first.region, credentials: { ...first.rootCredentials }, maxAttempts: 1 });
    await client.send(
      new CreateFunctionCommand({
        FunctionName: 'durable',
        Code: { ZipFile: zipOf({ 'index.js': 'exports.handler = async (e) => ({ kept: e.x });' }) },
        Handler: 'index.handler',
        Role: 'r',
      }),
    );
    await client.send(new PublishVersionCommand({ FunctionName: 'durable' }));
    await client.send(new CreateAliasCommand({ FunctionName: 'durable', Name: 'live', FunctionVersion: '1' }));
    client.destroy();
    // Copied: the SDK annotates the credentials object it is given.
    const credentials = { accessKeyId: first.rootCredentials.accessKeyId, secretAccessKey: first.rootCredentials.secretAccessKey };
    await first.close();

    const second = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', ...store.config });
    try {
      expect({ ...second.rootCredentials }).toEqual(credentials);
      expect(fs.readFileSync(path.join(dataDir, 'credentials'), 'utf8')).toContain(credentials.accessKeyId);
      const again = new LambdaClient({ endpoint: second.url, region: second.region, credentials: { ...credentials }, maxAttempts: 1 });
      const out = await again.send(new InvokeCommand({ FunctionName: 'durable', Qualifier: 'live', Payload: Buffer.from('{"x":7}') }));
      expect(out.ExecutedVersion).toBe('1');
      expect(decode(out.Payload)).toEqual({ kept: 7 });
      again.destroy();
    } finally {
      await second.close();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await store.drop();
  }
});
