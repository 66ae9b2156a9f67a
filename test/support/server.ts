/** @module Test support: a real Stratus on a free port with a temporary data folder, and clients for it. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync, strToU8 } from 'fflate';
import { startStratus, type RunningStratus } from '../../src/main.ts';

export interface TestServer extends RunningStratus {
  dataDir: string;
  lambda(creds?: { accessKeyId: string; secretAccessKey: string }): LambdaClient;
  stop(): Promise<void>;
}

export async function startTestServer(overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-test-'));
  const s = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', ...overrides });
  return {
    ...s,
    dataDir,
    lambda: (creds = s.rootCredentials) =>
      new LambdaClient({ endpoint: s.url, region: s.region, credentials: creds, maxAttempts: 1 }),
    async stop() {
      await s.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A zip of the given files (path -> source text). */
export function zipOf(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([name, text]) => [name, strToU8(text)])));
}

export const ECHO = zipOf({ 'index.js': 'exports.handler = async (event) => ({ echo: event });' });

export function decode(payload: Uint8Array | undefined): unknown {
  return payload && payload.length > 0 ? JSON.parse(Buffer.from(payload).toString('utf8')) : undefined;
}
