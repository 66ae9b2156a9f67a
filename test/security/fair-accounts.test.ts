// One account attacking the node's shared capacity, as a hostile customer would: spinning handlers
// on every execution slot, sleeping ones on every admission slot, stalled bodies with a known key
// id, oversized control-plane documents, hundreds of tenant ids. The victim account's calls must
// answer 200 every time, never 429 and never a timeout. Outcomes only: timings go to the bench.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequestSigner } from '../../src/shared/sigv4-signer.ts';
import { signedFetch } from '../support/signed-fetch.ts';
import { startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { nodeStats, until } from '../support/until.ts';

const SOURCE = `
exports.handler = async (event) => {
  if (event.sleepMs) await new Promise((r) => setTimeout(r, event.sleepMs));
  if (event.spin) for (;;) {}
  return { ok: true };
};`;

type Creds = { accessKeyId: string; secretAccessKey: string };
let server: TestServer;
let attacker: Creds;
let victim: Creds;

async function newAccount(name: string): Promise<Creds> {
  const res = await signedFetch(server.url, 'POST', '/stratus/v1/accounts', JSON.stringify({ Name: name }), { credentials: server.rootCredentials });
  expect(res.status).toBe(201);
  const body = res.json();
  return { accessKeyId: String(body.AccessKeyId), secretAccessKey: String(body.SecretAccessKey) };
}

async function deploy(creds: Creds, name: string, extra: Record<string, unknown> = {}): Promise<void> {
  const res = await signedFetch(
    server.url,
    'POST',
    '/2015-03-31/functions',
    JSON.stringify({ FunctionName: name, Timeout: 30, Code: { ZipFile: Buffer.from(zipOf({ 'index.js': SOURCE })).toString('base64') }, ...extra }),
    { credentials: creds },
  );
  expect(res.status).toBe(201);
}

const invoke = (creds: Creds, name: string, payload: unknown, headers: Record<string, string> = {}) =>
  signedFetch(server.url, 'POST', `/2015-03-31/functions/${name}/invocations`, JSON.stringify(payload), { credentials: creds, headers });

/** The victim's warm calls, one after another, while `during` runs: every one must answer 200 without a function error. */
async function victimServedDuring(during: Promise<unknown>, calls = 5): Promise<void> {
  for (let i = 0; i < calls; i++) {
    const res = await invoke(victim, 'victim', {});
    expect(res.status, res.text).toBe(200);
    expect(res.headers.get('x-amz-function-error')).toBeNull();
  }
  await during;
}

beforeAll(async () => {
  // A small node, so that a few attacking calls are enough to fill every slot.
  server = await startTestServer({ executionSlots: 2, maxInflightInvocations: 4, controlSlots: 2, bodyMbPerKey: 8, bodyMb: 32 });
  attacker = await newAccount('attacker');
  victim = await newAccount('victim');
  await Promise.all([
    deploy(attacker, 'spin', { Timeout: 8 }),
    deploy(attacker, 'sleep-a'),
    deploy(attacker, 'sleep-b'),
    deploy(attacker, 'tenants', { TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } }),
    deploy(victim, 'victim', { Timeout: 3 }),
  ]);
  expect((await invoke(victim, 'victim', {})).status).toBe(200); // warm
}, 60_000);

afterAll(async () => {
  await server.stop();
});

describe('one account cannot starve another', () => {
  it('spinning handlers on every execution slot do not freeze another account’s warm function', async () => {
    // Two 8 s spins fill both execution slots; the victim's Timeout is 3 s.
    const spins = Array.from({ length: 2 }, () => invoke(attacker, 'spin', { spin: true }, {}));
    await until('both spins run', async () => (await nodeStats(server)).BusyEnvironments === 2);
    await victimServedDuring(Promise.all(spins));
    for (const res of await Promise.all(spins)) expect(res.status).toBe(200); // each timed out on its own
  }, 60_000);

  it('sleeping invocations over two functions holding every admission slot do not make another account wait for 429', async () => {
    // Longer than the 10 s a request waits for admission before it is turned away.
    const sleeps = [
      ...Array.from({ length: 6 }, () => invoke(attacker, 'sleep-a', { sleepMs: 11_000 })),
      ...Array.from({ length: 6 }, () => invoke(attacker, 'sleep-b', { sleepMs: 11_000 })),
    ];
    await until('the sleeps hold every admission slot, the rest queued behind them', async () => {
      const s = await nodeStats(server);
      return s.InflightInvocations === s.MaxInflightInvocations && s.QueuedInvocations === sleeps.length - s.MaxInflightInvocations!;
    });
    await victimServedDuring(Promise.all(sleeps));
  }, 60_000);

  it('120 tenant ids of one account take no turns from another account', async () => {
    const flood = Array.from({ length: 120 }, (_, i) => invoke(attacker, 'tenants', { sleepMs: 200 }, { 'x-amz-tenant-id': `t${i}` }));
    await until('the flood holds every admission slot and queues behind them', async () => {
      const s = await nodeStats(server);
      return s.InflightInvocations === s.MaxInflightInvocations && s.QueuedInvocations! > 0;
    });
    await victimServedDuring(Promise.allSettled(flood));
  }, 60_000);
});

/** Opens a request that sends its headers and `send` bytes of body, then nothing more: a client that stalls. */
function stalled(path: string, headers: Record<string, string>, send = 0): { answered: Promise<number>; close: () => void } {
  const url = new URL(path, server.url);
  const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', headers });
  req.on('error', () => {});
  if (send > 0) req.write(Buffer.alloc(send, 0x20));
  else req.flushHeaders();
  const answered = new Promise<number>((resolve) => {
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('close', () => resolve(-1));
  });
  return { answered, close: () => req.destroy() };
}

/** What a client without the secret can send: a well-formed signature under a known key id, made with a guessed secret. */
const guessedAuth = (accessKeyId: string, path: string) =>
  createRequestSigner({ region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'a-guessed-secret-000000' } }).sign({
    method: 'POST',
    url: new URL(path, server.url),
    headers: { 'content-type': 'application/json' },
  });

describe('a client without the secret cannot hold capacity', () => {
  it('stalled bodies under the victim’s own access key id hold no slot and no budget: the victim is served', async () => {
    const path = '/2015-03-31/functions/victim/invocations';
    const auth = await guessedAuth(victim.accessKeyId, path);
    const stalls = Array.from({ length: 24 }, () => stalled(path, { ...auth, 'content-length': String(1024 * 1024) }));
    try {
      await victimServedDuring(Promise.resolve());
      // Past the grace period, a body that does not arrive is cut off.
      expect(await Promise.all(stalls.map((s) => s.answered))).toEqual(Array(24).fill(408));
    } finally {
      for (const s of stalls) s.close();
    }
  }, 30_000);

  it('bodies past an access key’s byte budget are refused as their bytes arrive, and a burst then held is cut off', async () => {
    // 8 MB per key: of four 3 MB bursts two fit, the other two are refused when their bytes push past it.
    const path = '/2015-03-31/functions/victim/invocations';
    const auth = await guessedAuth(attacker.accessKeyId, path);
    const halves = Array.from({ length: 4 }, () => stalled(path, { ...auth, 'content-length': String(6 * 1024 * 1024) }, 3 * 1024 * 1024));
    try {
      const answers = await Promise.all(halves.map((s) => s.answered));
      // The two that fit held their connections after the burst: cut off for sending too slowly.
      expect(answers.sort()).toEqual([408, 408, 429, 429]);
      await victimServedDuring(Promise.resolve(), 2);
    } finally {
      for (const s of halves) s.close();
    }
  }, 30_000);

  it('an unknown access key id is refused before its body is read', async () => {
    const path = '/2015-03-31/functions/victim/invocations';
    const s = stalled(path, { ...(await guessedAuth('AKIAUNKNOWNKEY000000', path)), 'content-length': String(5 * 1024 * 1024) });
    try {
      expect(await s.answered).toBe(403);
    } finally {
      s.close();
    }
  });

  it('a 60 MB control-plane document is refused by its route’s limit before it is read', async () => {
    const path = '/stratus/v1/functions/victim/tenancy-limits';
    const s = stalled(path, { ...(await guessedAuth(attacker.accessKeyId, path)), 'content-length': String(60 * 1024 * 1024) });
    try {
      expect(await s.answered).toBe(413);
    } finally {
      s.close();
    }
    const res = await signedFetch(server.url, 'PUT', '/stratus/v1/functions/tenants/tenancy-limits', JSON.stringify({ MaxConcurrency: 1, pad: 'x'.repeat(8 * 1024) }), {
      credentials: attacker,
    });
    expect(res.status).toBe(413);
    expect(res.json().message).toMatch(/smaller than 4096 bytes/);
  });
});
