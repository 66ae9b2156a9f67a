// A guest can make isolated-vm run its code where the isolate can no longer be stopped: a getter on
// the reason of an unhandled rejection, read while the reason is copied out. The thread keeps
// spinning (only process isolation can reclaim it), but the invocation still ends at its Timeout
// and gives its slots back. Alone in its file: the spinning thread ends with this test process.
import { expect, it } from 'vitest';
import { payloadOf, request, useHostileEngine } from './isolate-support.ts';

const hostile = useHostileEngine();

it('ends an invocation whose engine thread cannot be stopped, at its Timeout, with Lambda’s timeout error', async () => {
  const env = await hostile.env(`exports.handler = async () => {
    const err = new Error('x');
    Object.defineProperty(err, 'message', { get() { for (;;) {} } });
    Promise.reject(err);
    await new Promise((r) => setTimeout(r, 10));
  };`);
  const result = await env.invoke(request({ timeoutMs: 500 }));
  expect(result.fatal).toBe('timeout');
  expect(payloadOf(result).errorType).toBe('Sandbox.Timedout');
}, 15_000);

it('quarantines the function and, past the account’s limit, the account (where the build loses the thread), while other accounts are served', async () => {
  const { startTestServer, zipOf } = await import('../support/server.ts');
  const { signedFetch } = await import('../support/signed-fetch.ts');
  // One lost thread per account at most, so this test leaves a single thread spinning.
  const server = await startTestServer({ lostThreadsPerAccount: 1 });
  try {
    const account = async (name: string) => {
      const res = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: name }), { credentials: server.rootCredentials });
      const body = res.json();
      return { accessKeyId: String(body.AccessKeyId), secretAccessKey: String(body.SecretAccessKey) };
    };
    const [attacker, bystander] = [await account('attacker'), await account('bystander')];
    const deploy = (creds: typeof attacker, name: string, source: string) =>
      signedFetch(
        server.url,
        'POST',
        '/2015-03-31/functions',
        JSON.stringify({ FunctionName: name, Timeout: 1, Code: { ZipFile: Buffer.from(zipOf({ 'index.js': source })).toString('base64') } }),
        { credentials: creds },
      );
    const invoke = (creds: typeof attacker, name: string) => signedFetch(server.url, 'POST', `/2015-03-31/functions/${name}/invocations`, '{}', { credentials: creds });
    const spinner = `exports.handler = async () => { const err = new Error('x'); Object.defineProperty(err, 'message', { get() { for (;;) {} } }); Promise.reject(err); await new Promise((r) => setTimeout(r, 10)); };`;
    expect((await deploy(attacker, 'spinner', spinner)).status).toBe(201);
    expect((await deploy(attacker, 'fine', 'exports.handler = async () => 1;')).status).toBe(201);
    expect((await deploy(bystander, 'fine', 'exports.handler = async () => 1;')).status).toBe(201);

    const first = await invoke(attacker, 'spinner');
    expect(first.status).toBe(200);
    expect(first.json().errorType).toBe('Sandbox.Timedout');
    // isolated-vm 5 (Node 20) cannot stop this thread; 7.0.1 (Node 24, 26) can, and then nothing
    // was lost and there is nothing to quarantine: the account keeps being served.
    const node = await signedFetch(server.url, 'GET', '/stratus/v1/node', undefined, { credentials: server.rootCredentials });
    const lost = Number(node.json().LostEngineThreads);
    for (const name of ['spinner', 'fine']) {
      const next = await invoke(attacker, name);
      if (lost === 0) {
        expect(next.status).toBe(200);
        continue;
      }
      expect(next.status).toBe(403);
      expect(next.json().code).toBe('ACCOUNT_QUARANTINED');
    }
    if (lost > 0) expect((await deploy(attacker, 'again', spinner)).json().code).toBe('ACCOUNT_QUARANTINED');
    expect((await invoke(bystander, 'fine')).status).toBe(200);
  } finally {
    await server.stop();
  }
}, 30_000);
