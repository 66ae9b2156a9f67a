// Tenants never share an environment: each tenant plants its secret everywhere guest code can write,
// while the others, interleaved and concurrent, probe every place for anything that is not their own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { decode, startTestServer, zipOf, type TestServer } from '../support/server.ts';

const PLANT_AND_PROBE = `
let moduleSecret;
const closure = (() => { let v; return { set: (x) => (v = x), get: () => v }; })();
const cache = new Map();

function plant(s) {
  globalThis.leak = s;
  globalThis[Symbol.for('leak')] = s;
  moduleSecret = s;
  closure.set(s);
  cache.set('k', s);
  Object.prototype.leakObject = s;
  Array.prototype.leakArray = s;
  String.prototype.leakString = s;
  Function.prototype.leakFunction = s;
  Promise.prototype.leakPromise = s;
  Error.prototype.leakError = s;
  JSON.leak = s;
  Math.leak = s;
  console.leak = s;
  Error.prepareStackTrace = () => s;
  const original = Array.prototype.map;
  Array.prototype.map = function (...args) { this.leakMapped = s; return original.apply(this, args); };
  try { process.env.LEAK = s; } catch {}
  setTimeout(() => { globalThis.lateLeak = s; }, 1);
  setInterval(() => { globalThis.intervalLeak = s; }, 1);
}

function probe() {
  const found = [];
  const look = (where, value) => {
    if (typeof value === 'string' && value.includes('secret-of-')) found.push([where, value]);
  };
  look('global', globalThis.leak);
  look('symbol', globalThis[Symbol.for('leak')]);
  look('module', moduleSecret);
  look('closure', closure.get());
  look('map', cache.get('k'));
  look('Object.prototype', ({}).leakObject);
  look('Array.prototype', [].leakArray);
  look('String.prototype', ''.leakString);
  look('Function.prototype', (() => {}).leakFunction);
  look('Promise.prototype', Promise.resolve().leakPromise);
  look('Error.prototype', new Error('x').leakError);
  look('JSON', JSON.leak);
  look('Math', Math.leak);
  look('console', console.leak);
  look('stack', String(new Error('probe').stack));
  const mapped = [1]; mapped.map((x) => x); look('Array.prototype.map', mapped.leakMapped);
  try { look('process.env', process.env.LEAK); } catch {}
  look('timer', globalThis.lateLeak);
  look('interval', globalThis.intervalLeak);
  for (const key of Object.getOwnPropertyNames(globalThis)) {
    try { look('globalThis.' + key, globalThis[key]); } catch {}
  }
  return found;
}

exports.handler = async (event, context) => {
  if (event.plant) plant('secret-of-' + context.tenantId);
  await new Promise((resolve) => setTimeout(resolve, event.delayMs || 0));
  return { tenant: context.tenantId, found: probe() };
};`;

let server: TestServer;
let lambda: LambdaClient;

beforeAll(async () => {
  // Few environments, so eviction and re-creation happen all the time under the interleaving below.
  server = await startTestServer({ maxEnvironments: 6 });
  lambda = server.lambda();
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'shared-code',
      Code: { ZipFile: zipOf({ 'index.js': PLANT_AND_PROBE }) },
      Handler: 'index.handler',
      Role: 'r',
      Timeout: 10,
      TenancyConfig: { TenantIsolationMode: 'PER_TENANT' },
    }),
  );
});
afterAll(async () => {
  lambda?.destroy();
  await server?.stop();
});

async function call(tenant: string, event: object): Promise<{ tenant: string; found: Array<[string, string]> }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'shared-code', TenantId: tenant, Payload: Buffer.from(JSON.stringify(event)) }));
  expect(out.FunctionError).toBeUndefined();
  return decode(out.Payload) as { tenant: string; found: Array<[string, string]> };
}

/** Deterministic pseudo-random sequence, so a failure can be replayed. */
function rng(seed: number) {
  return () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
}

describe('tenant isolation', () => {
  it('a tenant finds its own secret where it planted it (the probe works)', async () => {
    const planted = await call('self-check', { plant: true, delayMs: 5 });
    const places = new Set(planted.found.map(([where]) => where));
    for (const where of ['global', 'module', 'closure', 'Object.prototype', 'Array.prototype.map', 'timer', 'interval']) expect(places).toContain(where);
    expect((await call('self-check', {})).found.length).toBeGreaterThan(0);
  });

  it("no tenant ever sees another tenant's secret, interleaved and concurrent", async () => {
    const tenants = Array.from({ length: 10 }, (_, i) => `tenant-${i}`);
    const random = rng(42);
    const seen: Array<{ tenant: string; found: Array<[string, string]> }> = [];
    for (let round = 0; round < 12; round++) {
      const batch = Array.from({ length: 8 }, () => {
        const tenant = tenants[Math.floor(random() * tenants.length)]!;
        return call(tenant, { plant: random() < 0.5, delayMs: Math.floor(random() * 5) });
      });
      seen.push(...(await Promise.all(batch)));
    }
    expect(seen).toHaveLength(96);
    const foreign = seen.flatMap(({ tenant, found }) =>
      found.filter(([, value]) => !value.includes(`secret-of-${tenant}`)).map(([where, value]) => `${tenant} saw ${value} in ${where}`),
    );
    expect(foreign).toEqual([]);
  });

  it('a fresh tenant finds nothing at all', async () => {
    expect((await call('brand-new-tenant', {})).found).toEqual([]);
  });
});
