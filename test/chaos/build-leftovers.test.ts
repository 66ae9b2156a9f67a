// A server killed in the middle of a build leaves its build folder behind; the next start removes it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateFunctionCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { expect, it } from 'vitest';
import { startStratus } from '../../src/main.ts';
import { zipOf } from '../support/server.ts';

it('removes build folders a crashed server left in its build folder, and builds there without leaving any', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-leftovers-'));
  const leftover = path.join(dataDir, 'builds', 'stratus-build-crashed', 'package');
  fs.mkdirSync(leftover, { recursive: true });
  fs.writeFileSync(path.join(leftover, 'index.js'), 'exports.handler = async () => "left behind";');
  const server = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', buildDir: path.join(dataDir, 'builds') });
  try {
    expect(fs.readdirSync(path.join(dataDir, 'builds'))).toEqual([]);
    const client = new LambdaClient({ endpoint: server.url, region: server.region, credentials: { ...server.rootCredentials }, maxAttempts: 1 });
    await client.send(
      new CreateFunctionCommand({ FunctionName: 'fresh', Code: { ZipFile: zipOf({ 'index.js': 'exports.handler = async () => 1;' }) }, Handler: 'index.handler', Role: 'r' }),
    );
    client.destroy();
    expect(fs.readdirSync(path.join(dataDir, 'builds'))).toEqual([]);
  } finally {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
