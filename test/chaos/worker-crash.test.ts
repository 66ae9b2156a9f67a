// Engine worker processes killed with SIGKILL in the middle of an invocation, again and again: the
// call that was running answers with a retryable 503 (Lambda's ServiceException), the worker is
// replaced at once, the log names the function that was running, other accounts keep being served,
// and the function whose invocations keep ending workers is quarantined with a reason.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { signedFetch } from '../support/signed-fetch.ts';
import { nodeStats, until } from '../support/until.ts';

let server: TestServer;
const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    logLines.push(...String(chunk).split('\n').filter(Boolean));
    done();
  },
});

type Creds = { accessKeyId: string; secretAccessKey: string };

beforeAll(async () => {
  server = await startTestServer({ engineWorkers: 1, workerCrashesPerFunction: 3, logLevel: 'error', logDestination: sink });
});
afterAll(async () => server?.stop());

async function account(name: string): Promise<Creds> {
  const res = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: name }), { credentials: server.rootCredentials });
  const body = res.json();
  return { accessKeyId: String(body.AccessKeyId), secretAccessKey: String(body.SecretAccessKey) };
}

const deploy = (creds: Creds, name: string, source: string) =>
  signedFetch(
    server.url,
    'POST',
    '/2015-03-31/functions',
    JSON.stringify({ FunctionName: name, Timeout: 30, Code: { ZipFile: Buffer.from(zipOf({ 'index.js': source })).toString('base64') } }),
    { credentials: creds },
  );
const invoke = (creds: Creds, name: string) => signedFetch(server.url, 'POST', `/2015-03-31/functions/${name}/invocations`, '{}', { credentials: creds });

it('answers every call, replaces the worker, keeps serving other accounts, and quarantines the function that keeps ending workers', async () => {
  const [attacker, bystander] = [await account('attacker'), await account('bystander')];
  expect((await deploy(attacker, 'slow', `exports.handler = async () => { await new Promise((r) => setTimeout(r, 20000)); return 'done'; };`)).status).toBe(201);
  expect((await deploy(bystander, 'fine', 'exports.handler = async () => 1;')).status).toBe(201);

  for (let round = 1; round <= 3; round++) {
    const [pid] = server.engineWorkerPids();
    expect(pid).toBeGreaterThan(0);
    const running = invoke(attacker, 'slow');
    // Killed while its handler waits inside the worker.
    await until('the invocation runs in the worker', async () => (await nodeStats(server)).BusyEnvironments! >= 1);
    process.kill(pid!, 'SIGKILL');
    const answer = await running;
    expect(answer.status).toBe(503);
    expect(answer.headers.get('x-amzn-errortype')).toBe('ServiceException');
    expect(answer.json().code).toBe('ENGINE_WORKER_EXITED');
    await until('a new worker runs', () => server.engineWorkerPids().length === 1 && server.engineWorkerPids()[0] !== pid);
    const served = await invoke(bystander, 'fine');
    expect(served.status).toBe(200);
    expect(served.text).toBe('1');
  }

  const refused = await invoke(attacker, 'slow');
  expect(refused.status).toBe(409);
  expect(refused.json().code).toBe('FUNCTION_QUARANTINED');
  expect(refused.json().message).toMatch(/engine worker process running it ended 3 times/);
  expect((await nodeStats(server)).EngineWorkerExits).toBe(3);

  const exits = logLines
    .map((l) => JSON.parse(l) as { msg?: string; signal?: string; inflight?: Array<{ functionName: string; op: string }> })
    .filter((l) => l.msg === 'engine worker process ended; replacing it');
  expect(exits).toHaveLength(3);
  for (const exit of exits) {
    expect(exit.signal).toBe('SIGKILL');
    expect(exit.inflight).toEqual([expect.objectContaining({ functionName: 'slow', op: 'invoke' })]);
  }
}, 120_000);
