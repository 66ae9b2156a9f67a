// Guest-chosen text cannot flood the server log: an unhandled rejection's message and stack, a
// thrown error's, or a crash's, reach it bounded per invocation (10 calls once wrote 100 MB).
import { Writable } from 'node:stream';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startStratus, type RunningStratus } from '../../src/main.ts';
import { zipOf } from '../support/server.ts';
import { signedFetch } from '../support/signed-fetch.ts';

let logBytes = 0;
let server: RunningStratus;
let dataDir: string;

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-log-'));
  const sink = new Writable({ write: (chunk, _enc, done) => ((logBytes += chunk.length), done()) });
  server = await startStratus({ host: '127.0.0.1', port: 0, dataDir, logLevel: 'info', logDestination: sink });
});
afterAll(async () => {
  await server?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

it('logs a bounded line, not the guest’s megabytes, for each of ten unhandled rejections, and answers Lambda’s error', async () => {
  const source = `exports.handler = async (e) => {
    const err = new Error('x'.repeat(1024 * 1024));
    err.stack = 'Error: ' + 'y'.repeat(1024 * 1024);
    Promise.reject(err);
    return 'unreachable once the rejection is seen';
  };`;
  const creds = server.rootCredentials;
  const created = await signedFetch(
    server.url,
    'POST',
    '/2015-03-31/functions',
    JSON.stringify({ FunctionName: 'reject', MemorySize: 256, Code: { ZipFile: Buffer.from(zipOf({ 'index.js': source })).toString('base64') } }),
    { credentials: creds },
  );
  expect(created.status).toBe(201);
  const before = logBytes;
  for (let i = 0; i < 10; i++) {
    const res = await signedFetch(server.url, 'POST', '/2015-03-31/functions/reject/invocations', '{}', { credentials: creds });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBe('Unhandled');
    const body = res.json();
    expect(body.errorType).toBe('Runtime.UnhandledPromiseRejection');
    expect(String(body.errorMessage)).toMatch(/^Error: x+\.\.\. \(\d+ more characters\)$/);
    expect(res.text.length).toBeLessThan(200 * 1024);
    expect(res.text).not.toContain('file://');
  }
  // An access line per call and nothing of the guest's 2 MB a call.
  expect(logBytes - before).toBeLessThan(10 * 8 * 1024);
});
