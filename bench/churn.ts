/** @module Tenant figure 3: tenant churn, the invoke latency when every call goes to a new tenant, against the same tenant warm, sample by sample in turn. */
import { invokePath, reportOf, send, sign, type Target } from './lib/lambda-api.ts';
import { summarize, type Summary } from './lib/stats.ts';
import { TENANT_FUNCTION } from './noisy-neighbour.ts';

export interface ChurnResult {
  samples: number;
  newTenantMs: Summary;
  /** REPORT Init Duration of the new tenants' calls: the environment create alone. */
  newTenantInitMs: Summary;
  sameTenantMs: Summary;
  raw: { newTenantMs: number[]; sameTenantMs: number[] };
}

const WARMUP = 20;
const BODY = JSON.stringify({ n: 1 });
const WARM_TENANT = 'churn-warm';

async function timed(t: Target, tenant: string) {
  const req = await sign(t, 'POST', invokePath(TENANT_FUNCTION), BODY, { 'x-amz-tenant-id': tenant, 'x-amz-log-type': 'Tail' });
  const started = performance.now();
  const res = await send(t.url, req);
  const ms = performance.now() - started;
  if (res.status !== 200 || res.headers['x-amz-function-error'] !== undefined) throw new Error(`churn invoke for ${tenant}: ${res.status} ${res.text.slice(0, 200)}`);
  return { ms, initMs: reportOf(res).initDurationMs };
}

export async function runChurn(t: Target, samples: number): Promise<ChurnResult> {
  for (let i = 0; i < WARMUP; i++) await timed(t, WARM_TENANT);
  const raw = { newTenantMs: [] as number[], sameTenantMs: [] as number[] };
  const init: number[] = [];
  for (let i = 0; i < samples; i++) {
    const fresh = async () => {
      const r = await timed(t, `churn-${i}`);
      if (r.initMs === undefined) throw new Error(`churn-${i} has no Init Duration: it was not a cold start`);
      raw.newTenantMs.push(r.ms);
      init.push(r.initMs);
    };
    const warm = async () => {
      const r = await timed(t, WARM_TENANT);
      if (r.initMs !== undefined) throw new Error(`${WARM_TENANT} had a cold start mid-run: its environment was evicted`);
      raw.sameTenantMs.push(r.ms);
    };
    // Alternate the order so neither side always runs right after the other.
    if (i % 2 === 0) {
      await fresh();
      await warm();
    } else {
      await warm();
      await fresh();
    }
  }
  return { samples, newTenantMs: summarize(raw.newTenantMs), newTenantInitMs: summarize(init), sameTenantMs: summarize(raw.sameTenantMs), raw };
}
