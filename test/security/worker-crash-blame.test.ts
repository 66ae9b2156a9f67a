// Who pays when an engine worker process ends. A worker that ends fails every invocation it was
// serving (503, retryable); the crash counts toward a function's quarantine only when that function
// was the only one the worker was running (main.ts), so a function that merely shared the worker is
// never quarantined for its neighbour; and a function's crash count survives updates (an update
// lifts the quarantine, the next crash brings it back), with a per-account limit over all its
// functions. The worker is killed from the test, standing in for guest code that finds a way to
// end its worker.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { signedFetch } from '../support/signed-fetch.ts';
import { nodeStats, until } from '../support/until.ts';

let server: TestServer;
type Creds = { accessKeyId: string; secretAccessKey: string };

beforeAll(async () => {
  server = await startTestServer({ engineWorkers: 1, workerCrashesPerFunction: 3, logLevel: 'silent' });
});
afterAll(async () => server?.stop());

async function account(name: string): Promise<Creds> {
  const res = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: name }), { credentials: server.rootCredentials });
  const body = res.json();
  return { accessKeyId: String(body.AccessKeyId), secretAccessKey: String(body.SecretAccessKey) };
}

/** Waits 20 s when the event says so, else answers at once. */
const SOURCE = `exports.handler = async (e) => { if (e.wait) await new Promise((r) => setTimeout(r, 20000)); return 'ok'; };`;

async function deploy(creds: Creds, name: string): Promise<void> {
  const body = JSON.stringify({ FunctionName: name, Timeout: 30, Code: { ZipFile: Buffer.from(zipOf({ 'index.js': SOURCE })).toString('base64') } });
  const res = await signedFetch(server.url, 'POST', '/2015-03-31/functions', body, { credentials: creds });
  expect(res.status).toBe(201);
}

const invoke = (creds: Creds, name: string, wait = false) =>
  signedFetch(server.url, 'POST', `/2015-03-31/functions/${name}/invocations`, JSON.stringify({ wait }), { credentials: creds });

/** Ends the only worker while these invocations wait inside it; each answers 503. */
async function crashWith(calls: Array<[Creds, string]>): Promise<void> {
  const [pid] = server.engineWorkerPids();
  const before = (await nodeStats(server)).BusyEnvironments ?? 0;
  const running = calls.map(([c, n]) => invoke(c, n, true));
  await until('the invocations run in the worker', async () => (await nodeStats(server)).BusyEnvironments! >= before + calls.length);
  process.kill(pid!, 'SIGKILL');
  for (const answer of await Promise.all(running)) expect(answer.json().code).toBe('ENGINE_WORKER_EXITED');
  await until('a new worker runs', () => server.engineWorkerPids().length === 1 && server.engineWorkerPids()[0] !== pid);
}

it('a function that only shared a worker with the one ending it is not quarantined', async () => {
  const [attacker, bystander] = [await account('blame-attacker'), await account('blame-bystander')];
  await deploy(attacker, 'crasher');
  await deploy(bystander, 'orders');
  for (let round = 0; round < 3; round++)
    await crashWith([
      [attacker, 'crasher'],
      [bystander, 'orders'],
    ]);
  const served = await invoke(bystander, 'orders');
  expect(served.json()).not.toMatchObject({ code: 'FUNCTION_QUARANTINED' });
  expect(served.status).toBe(200);
}, 120_000);

it('an update of the function does not clear the crashes it already caused', async () => {
  const attacker = await account('reset-attacker');
  await deploy(attacker, 'crasher');
  await crashWith([[attacker, 'crasher']]);
  await crashWith([[attacker, 'crasher']]);
  const updated = await signedFetch(server.url, 'PUT', '/2015-03-31/functions/crasher/configuration', JSON.stringify({ Description: 'again' }), { credentials: attacker });
  expect(updated.status).toBe(200);
  await crashWith([[attacker, 'crasher']]);
  const refused = await invoke(attacker, 'crasher');
  expect(refused.status).toBe(409);
  expect(refused.json().code).toBe('FUNCTION_QUARANTINED');
}, 120_000);
