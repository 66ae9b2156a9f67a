// Many tenants of one function within a fixed memory budget: cold tenants churn, hot tenants stay warm.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { decode, startTestServer, zipOf, type TestServer } from '../support/server.ts';
import { signedFetch } from '../support/signed-fetch.ts';

const BUDGET_MB = 16;
const TENANTS = 1000;
let server: TestServer;
let lambda: LambdaClient;

beforeAll(async () => {
  server = await startTestServer({ memoryBudgetMb: BUDGET_MB, maxEnvironments: 200 });
  lambda = server.lambda();
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: 'per-customer',
      Code: { ZipFile: zipOf({ 'index.js': 'let calls = 0; exports.handler = async (e, ctx) => ({ tenant: ctx.tenantId, calls: ++calls });' }) },
      Handler: 'index.handler',
      Role: 'r',
      TenancyConfig: { TenantIsolationMode: 'PER_TENANT' },
    }),
  );
});
afterAll(async () => {
  lambda?.destroy();
  await server?.stop();
});

async function invoke(tenant: string): Promise<{ tenant: string; calls: number }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'per-customer', TenantId: tenant }));
  expect(out.FunctionError).toBeUndefined();
  return decode(out.Payload) as { tenant: string; calls: number };
}

async function nodeStats(): Promise<Record<string, number>> {
  return (await signedFetch(server.url, 'GET', '/stratus/v1/node', undefined, { credentials: server.rootCredentials })).json() as Record<string, number>;
}

it(`serves ${TENANTS} tenants within a ${BUDGET_MB} MB environment budget, keeping hot tenants warm`, async () => {
  const hot = ['hot-1', 'hot-2'];
  let hotCalls = 0;
  let maxMemory = 0;
  for (let start = 0; start < TENANTS; start += 4) {
    const batch = [0, 1, 2, 3].map((i) => `customer-${start + i}`);
    const results = await Promise.all(batch.map(invoke));
    // Every cold tenant starts from a fresh environment of its own.
    for (const [i, r] of results.entries()) expect(r).toEqual({ tenant: batch[i], calls: 1 });
    hotCalls++;
    for (const h of hot) expect(await invoke(h)).toEqual({ tenant: h, calls: hotCalls });
    if (start % 100 === 0) maxMemory = Math.max(maxMemory, (await nodeStats()).EnvironmentMemoryBytes!);
  }
  const stats = await nodeStats();
  expect(stats.EnvironmentsCreated).toBeGreaterThanOrEqual(TENANTS + hot.length);
  expect(stats.EnvironmentsEvicted).toBeGreaterThan(TENANTS - 100);
  // The budget is checked after each create and release, so at most one fresh environment sits above it.
  const oneEnvironment = 4 * 1048576;
  expect(maxMemory).toBeLessThanOrEqual(BUDGET_MB * 1048576 + oneEnvironment);
  expect(stats.EnvironmentMemoryBytes).toBeLessThanOrEqual(BUDGET_MB * 1048576 + oneEnvironment);
}, 180_000);
