/** @module Tenant figure 2: density, the resident memory an idle warm tenant environment costs, and a node serving more tenants than its memory budget holds. */
import http from 'node:http';
import { invokePath, nodeStats, send, sign, type NodeStats, type Target } from './lib/lambda-api.ts';
import { TENANT_FUNCTION } from './noisy-neighbour.ts';

export interface WarmTenantsResult {
  served: number;
  errors: number;
  /** The first few failures, verbatim, to tell what went wrong. */
  errorSamples: string[];
  seconds: number;
}

export interface DensityResult extends WarmTenantsResult {
  tenants: number;
  settleMs: number;
  before: NodeStats;
  after: NodeStats;
  rssPerEnvironmentBytes: number;
  environmentMemoryPerEnvironmentBytes: number;
}

export interface EvictionResult extends WarmTenantsResult {
  target: number;
  timeBoxSeconds: number;
  memoryBudgetMb: number;
  before: NodeStats;
  end: NodeStats;
  peakRssBytes: number;
  peakEnvironments: number;
  peakEnvironmentMemoryBytes: number;
  /** Node statistics about once a second: [seconds, tenants served, RSS bytes, environments, environment memory bytes]. */
  timeline: number[][];
}

const BODY = JSON.stringify({ n: 1 });
const POLL_MS = 250;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One invoke each for tenants `<prefix>0..`, `concurrency` at a time, until `count` or the deadline; counts every failure. */
async function warmTenants(t: Target, prefix: string, count: number, concurrency: number, deadline = Infinity, onServed?: (served: number) => void): Promise<WarmTenantsResult> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const out: WarmTenantsResult = { served: 0, errors: 0, errorSamples: [], seconds: 0 };
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < count && performance.now() < deadline) {
      const tenant = `${prefix}${next++}`;
      try {
        const res = await send(t.url, await sign(t, 'POST', invokePath(TENANT_FUNCTION), BODY, { 'x-amz-tenant-id': tenant }), agent);
        if (res.status !== 200 || res.headers['x-amz-function-error'] !== undefined) throw new Error(`${res.status} ${res.text.slice(0, 160)}`);
      } catch (err) {
        out.errors++;
        if (out.errorSamples.length < 5) out.errorSamples.push(`${tenant}: ${err instanceof Error ? err.message : String(err)}`);
      }
      out.served++;
      onServed?.(out.served);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  out.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return out;
}

/** A first tenant pays the node's one-time costs (compiling the function, the guest runtime's first isolate) before "before" is read. */
async function probe(t: Target): Promise<void> {
  const res = await send(t.url, await sign(t, 'POST', invokePath(TENANT_FUNCTION), BODY, { 'x-amz-tenant-id': 'probe' }));
  if (res.status !== 200) throw new Error(`probe invoke: ${res.status} ${res.text.slice(0, 200)}`);
}

/** RSS and measured environment memory before and after `tenants` new warm environments, on a node whose budget holds them all. */
export async function runDensity(t: Target, tenants: number, concurrency: number, settleMs: number): Promise<DensityResult> {
  await probe(t);
  await sleep(settleMs);
  const before = await nodeStats(t);
  const warmed = await warmTenants(t, 'dense-', tenants, concurrency);
  await sleep(settleMs);
  const after = await nodeStats(t);
  if (after.Environments - before.Environments !== tenants) {
    throw new Error(
      `density: expected ${tenants} more environments, the node has ${after.Environments - before.Environments} (evicted ${after.EnvironmentsEvicted - before.EnvironmentsEvicted}): raise its budget`,
    );
  }
  return {
    tenants,
    settleMs,
    before,
    after,
    ...warmed,
    rssPerEnvironmentBytes: (after.ResidentMemoryBytes - before.ResidentMemoryBytes) / tenants,
    environmentMemoryPerEnvironmentBytes: (after.EnvironmentMemoryBytes - before.EnvironmentMemoryBytes) / tenants,
  };
}

/** As many new tenants as fit in the time box (up to `target`) on a node whose memory budget forces eviction, with its RSS polled throughout. */
export async function runEviction(
  t: Target,
  opts: { target: number; timeBoxSeconds: number; concurrency: number; settleMs: number; memoryBudgetMb: number },
): Promise<EvictionResult> {
  await probe(t);
  await sleep(opts.settleMs);
  const before = await nodeStats(t);
  const pollAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  const started = performance.now();
  let served = 0;
  let peak = { rss: before.ResidentMemoryBytes, envs: before.Environments, envMem: before.EnvironmentMemoryBytes };
  const timeline: number[][] = [];
  let polls = 0;
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const s = await nodeStats(t, pollAgent);
      peak = { rss: Math.max(peak.rss, s.ResidentMemoryBytes), envs: Math.max(peak.envs, s.Environments), envMem: Math.max(peak.envMem, s.EnvironmentMemoryBytes) };
      if (polls++ % Math.round(1000 / POLL_MS) === 0)
        timeline.push([(performance.now() - started) / 1000, served, s.ResidentMemoryBytes, s.Environments, s.EnvironmentMemoryBytes]);
      await sleep(POLL_MS);
    }
  })();
  const warmed = await warmTenants(t, 'evict-', opts.target, opts.concurrency, started + opts.timeBoxSeconds * 1000, (n) => (served = n));
  polling = false;
  await poller;
  await sleep(opts.settleMs);
  const end = await nodeStats(t, pollAgent);
  pollAgent.destroy();
  peak.rss = Math.max(peak.rss, end.ResidentMemoryBytes);
  timeline.push([(performance.now() - started) / 1000, warmed.served, end.ResidentMemoryBytes, end.Environments, end.EnvironmentMemoryBytes]);
  return {
    target: opts.target,
    timeBoxSeconds: opts.timeBoxSeconds,
    memoryBudgetMb: opts.memoryBudgetMb,
    ...warmed,
    before,
    end,
    peakRssBytes: peak.rss,
    peakEnvironments: peak.envs,
    peakEnvironmentMemoryBytes: peak.envMem,
    timeline,
  };
}
