// What guest code can reach of the engine worker process that hosts it: not the process's IPC
// channel (process.send, process.channel), not its real environment; and the worker process itself
// holds no secret of the node (database URL, root keys) in its environment.
import fs from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { signedFetch } from '../support/signed-fetch.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ engineWorkers: 1 });
});
afterAll(async () => server?.stop());

it('guest code finds no IPC channel or host environment in its engine worker', async () => {
  const source = `exports.handler = async () => {
    const tries = {};
    const probe = (name, f) => { try { tries[name] = f(); } catch (e) { tries[name] = 'threw ' + e.name; } };
    const host = (function () { return this; }).constructor.constructor('return process')();
    probe('send', () => typeof process.send);
    probe('channel', () => typeof process.channel);
    probe('hostSend', () => typeof (host && host.send));
    probe('binding', () => typeof process.binding);
    probe('envKeys', () => Object.keys(process.env || {}).filter((k) => /STRATUS|NODE_CHANNEL|NODE_OPTIONS|HOME|USER/.test(k)));
    probe('paths', () => [process.env.PATH, process.env.NODE_PATH]);
    probe('require', () => typeof require);
    return tries;
  };`;
  const body = JSON.stringify({ FunctionName: 'probe', Code: { ZipFile: Buffer.from(zipOf({ 'index.js': source })).toString('base64') } });
  expect((await signedFetch(server.url, 'POST', '/2015-03-31/functions', body, { credentials: server.rootCredentials })).status).toBe(201);
  const res = await signedFetch(server.url, 'POST', '/2015-03-31/functions/probe/invocations', '{}', { credentials: server.rootCredentials });
  expect(res.status).toBe(200);
  const tries = res.json();
  expect(tries.send).toBe('undefined');
  expect(tries.channel).toBe('undefined');
  expect(['undefined', 'threw TypeError', 'threw ReferenceError', 'threw EvalError']).toContain(tries.hostSend);
  expect(tries.binding).toBe('undefined');
  expect(tries.envKeys).toEqual([]);
  // Lambda's own values, never the worker's.
  expect(tries.paths).toEqual(['/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin', '/opt/nodejs/node_modules:/var/runtime/node_modules:/var/runtime:/var/task']);
  expect(tries.paths).not.toContain(process.env.PATH);
});

it.runIf(process.platform === 'linux')('the engine worker process holds no database URL or root secret in its environment', () => {
  const [pid] = server.engineWorkerPids();
  const environ = fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  const names = environ.map((e) => e.slice(0, e.indexOf('=')));
  expect(names.filter((n) => /DATABASE|SECRET|PASSWORD|ACCESS_KEY|TOKEN/i.test(n))).toEqual([]);
  expect(environ.some((e) => e.includes(server.rootCredentials.secretAccessKey))).toBe(false);
});
