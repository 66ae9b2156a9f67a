/**
 * @module Test support: a real Stratus on a free port with a temporary data folder, and clients for it.
 * In the `postgres` test project the same tests run with Stratus on a fresh PostgreSQL schema.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { zipSync, strToU8 } from 'fflate';
import { afterAll, beforeAll, inject } from 'vitest';
import type { StratusConfig } from '../../src/config.ts';
import { startStratus, type RunningStratus } from '../../src/main.ts';
import { freshSchema } from './postgres.ts';

export interface TestServer extends RunningStratus {
  dataDir: string;
  lambda(creds?: { accessKeyId: string; secretAccessKey: string }): LambdaClient;
  stop(): Promise<void>;
}

export interface TestStore {
  /** What startStratus needs to use this store (nothing for SQLite: it lives in the data folder). */
  config: Partial<StratusConfig>;
  /** The PostgreSQL schema, in the `postgres` project. */
  schema?: string;
  drop(): Promise<void>;
}

/** The store this test project runs Stratus on: SQLite in the data folder, or a fresh PostgreSQL schema. */
export async function testStore(): Promise<TestStore> {
  if (inject('store') !== 'postgres') return { config: {}, drop: async () => {} };
  const schema = await freshSchema();
  return { config: { databaseUrl: schema.url }, schema: schema.schema, drop: schema.drop };
}

export async function startTestServer(overrides: Record<string, unknown> = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-test-'));
  const store = await testStore();
  const s = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'silent', ...store.config, ...overrides }).catch(async (err: unknown) => {
    await store.drop();
    throw err;
  });
  return {
    ...s,
    dataDir,
    lambda: (creds = s.rootCredentials) => new LambdaClient({ endpoint: s.url, region: s.region, credentials: creds, maxAttempts: 1 }),
    async stop() {
      await s.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
      await store.drop();
    },
  };
}

/** The server a test file's tests share (started before them, stopped after them) and an SDK client for it. */
export function useTestServer(overrides: Record<string, unknown> = {}): { readonly server: TestServer; readonly lambda: LambdaClient } {
  let server: TestServer | undefined;
  let lambda: LambdaClient | undefined;
  beforeAll(async () => {
    server = await startTestServer(overrides);
    lambda = server.lambda();
  });
  afterAll(async () => {
    lambda?.destroy();
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the test server is used before it started (outside a test or hook)');
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get lambda() {
      return started(lambda);
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
