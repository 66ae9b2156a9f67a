/** @module The tenants suite: noisy neighbour, density and tenant churn on one PER_TENANT function, each against a baseline of the same run, written to bench/results/tenants.{md,json}. */
import path from 'node:path';
import { runChurn, type ChurnResult } from './churn.ts';
import { runDensity, runEviction, type DensityResult, type EvictionResult } from './density.ts';
import { startChild, type Child } from './lib/children.ts';
import { TENANT_HANDLER } from './lib/handler-code.ts';
import { closeClient, deployFunction, type Target } from './lib/lambda-api.ts';
import { ratioRow, valueRow, writeResults, type Row } from './lib/report.ts';
import { runNoisyNeighbour, TENANT_FUNCTION, type NoisyResult } from './noisy-neighbour.ts';
import { num, type SuiteContext, type SuiteOutcome } from './suite.ts';

const CONFIG = {
  quietTenants: 9,
  quietRate: num('BENCH_QUIET_RATE', 5),
  noisyConnections: num('BENCH_NOISY_CONNECTIONS', 64),
  /** Diagnostic: the noisy tenant at this many req/s instead of a closed loop (0: closed loop). */
  noisyRate: num('BENCH_NOISY_RATE', 0) || undefined,
  rounds: num('BENCH_TENANT_ROUNDS', 3),
  /** Event-loop target of the Stratus under test (0: its default). */
  eventLoopTarget: num('BENCH_EVENT_LOOP_TARGET', 0),
  /** Also runs the noisy figure on a node with pacing off, for comparison (0 skips it). */
  compareUnpaced: num('BENCH_COMPARE_UNPACED', 1) === 1,
  phaseSeconds: num('BENCH_TENANT_PHASE_SECONDS', 8),
  churnSamples: num('BENCH_CHURN_SAMPLES', 200),
  densityTenants: num('BENCH_DENSITY_TENANTS', 1000),
  densityBudgetMb: 16_384,
  evictionTarget: num('BENCH_EVICTION_TENANTS', 10_000),
  evictionSeconds: num('BENCH_EVICTION_SECONDS', 50),
  evictionBudgetMb: 256,
  warmConcurrency: 4,
  settleMs: 2000,
};

export type TenantFigure = 'noisy' | 'churn' | 'density';

const MB = 1048576;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const METHOD = [
  `Every figure is compared with a baseline measured in the same run on the same machine; each Stratus runs in its own child process with default settings unless said.`,
  `The function is one PER_TENANT function whose handler does a JSON round trip and a ~0.2 ms loop; tenants are told apart by X-Amz-Tenant-Id.`,
  `Noisy neighbour: ${CONFIG.quietTenants} quiet tenants each send ${CONFIG.quietRate} req/s open loop (a paced sender in the parent: requests leave on a timetable whatever the answers, latency from send to answer);`,
  CONFIG.noisyRate
    ? `the noisy tenant sends ${CONFIG.noisyRate} req/s over ${CONFIG.noisyConnections} connections (autocannon overallRate, in its own child process); the achieved multiple is reported (↳ row).`
    : `the noisy tenant is a closed loop of ${CONFIG.noisyConnections} connections (autocannon in its own child process, so its event loop is not the quiet sender's), which keeps the node saturated at whatever it can serve: that is harsher than the issue's open loop at 100x (${100 * CONFIG.quietRate} req/s, BENCH_NOISY_RATE=${100 * CONFIG.quietRate} runs that instead): the noisy tenant takes whatever the node will give it, and the achieved multiple is reported (↳ row, should be ≥ 100x).`,
  `Stratus runs with ${CONFIG.eventLoopTarget > 0 ? `event-loop target ${CONFIG.eventLoopTarget}` : 'its default event-loop target (0.7)'}: while tenants compete, admissions are paced to keep that headroom (the 4-admissions-per-loop-turn budget applies on both sides). ${CONFIG.compareUnpaced ? 'The ↳ "pacing off" rows repeat the whole figure, in the same run, on a fresh Stratus with STRATUS_EVENT_LOOP_TARGET=1.' : ''}`,
  `Baseline = the quiet tenants alone; ${CONFIG.rounds} rounds of ${CONFIG.phaseSeconds} s per side, alternating which side goes first; the noisy load starts 1 s before the quiet phase and ends 1 s after it; all quiet samples of a side are pooled (nearest-rank percentiles).`,
  `Every tenant is warmed first; no per-tenant limits are set, so a 429 can only come from node capacity.`,
  `Churn: ${CONFIG.churnSamples} sequential invokes each to a new tenant (each checked to carry an Init Duration), taken in turn with invokes of one warm tenant (checked to carry none), one keep-alive connection.`,
  `Density: a fresh Stratus with a ${CONFIG.densityBudgetMb} MB budget; after one probe tenant and ${CONFIG.settleMs / 1000} s, /stratus/v1/node ResidentMemoryBytes is read, ${CONFIG.densityTenants} new tenants are invoked once each (${CONFIG.warmConcurrency} at a time),`,
  `and after ${CONFIG.settleMs / 1000} s it is read again: (RSS after − RSS before) / ${CONFIG.densityTenants}. Baseline: the same RSS delta of ${CONFIG.densityTenants} bare \`new ivm.Isolate({memoryLimit:128})\` + context held in a child of the same process type.`,
  `Eviction: a fresh Stratus with memoryBudgetMb ${CONFIG.evictionBudgetMb} and maxEnvironments 20000 gets up to ${CONFIG.evictionTarget} new tenants, ${CONFIG.warmConcurrency} at a time, for at most ${CONFIG.evictionSeconds} s, with /stratus/v1/node polled every 250 ms for the peak RSS;`,
  `the issue asks for RSS to "stay bounded" without a number, so the goal used here is peak RSS growth ≤ 2x the environment budget. Rows marked ↳ are diagnostics without a goal.`,
].join(' ');

function noisyRows(r: NoisyResult, unpaced: NoisyResult | undefined): Row[] {
  const statuses = r.noisy.statuses;
  const throttled = statuses['429'] ?? 0;
  const otherBad = Object.entries(statuses).reduce((n, [s, c]) => (s === '200' || s === '429' ? n : n + c), 0) + r.noisy.errors;
  const alone = 'quiet alone';
  return [
    ratioRow('Noisy neighbour: quiet tenants p50 latency', 'ms', alone, r.alone.latencyMs.p50, r.withNoisy.latencyMs.p50),
    ratioRow('Noisy neighbour: quiet tenants p99 latency', 'ms', alone, r.alone.latencyMs.p99, r.withNoisy.latencyMs.p99, { op: '<=', limit: 2 }),
    valueRow('Noisy neighbour: quiet tenants failed requests (both sides)', 'requests', r.alone.failures + r.withNoisy.failures, { op: '<=', limit: 0 }),
    ratioRow(
      `↳ Noisy tenant throughput (${CONFIG.noisyRate ? `${CONFIG.noisyRate} req/s asked` : 'closed loop'}, c=${r.noisyConnections})`,
      'req/s',
      'one quiet tenant',
      r.quietRatePerTenant,
      r.noisy.throughput,
    ),
    valueRow('↳ Noisy tenant: 429 responses', 'responses', throttled),
    valueRow('↳ Noisy tenant: other failures (non-2xx, socket errors, timeouts)', 'requests', otherBad + r.noisy.timeouts),
    ratioRow('↳ Stratus event-loop delay p99 (mean over phases)', 'ms', alone, mean(r.alone.loopDelayMs.map((d) => d.p99)), mean(r.withNoisy.loopDelayMs.map((d) => d.p99))),
    valueRow(
      `↳ Guest steps waiting for an execution slot with noisy (most seen, polled; alone: ${Math.max(...r.alone.maxWaitingSteps)})`,
      'steps',
      Math.max(...r.withNoisy.maxWaitingSteps),
    ),
    ratioRow(
      '↳ Stratus main-thread CPU (share of one core, mean over phases)',
      '%',
      alone,
      100 * mean(r.alone.loopDelayMs.map((d) => d.mainThreadCpu)),
      100 * mean(r.withNoisy.loopDelayMs.map((d) => d.mainThreadCpu)),
    ),
    ratioRow('↳ Stratus GC time per phase (mean)', 'ms', alone, mean(r.alone.loopDelayMs.map((d) => d.gc.totalMs)), mean(r.withNoisy.loopDelayMs.map((d) => d.gc.totalMs))),
    valueRow('↳ Invocations admitted through the event-loop pacer, per phase with noisy (mean)', 'invocations', mean(r.withNoisy.pacedAdmissions)),
    valueRow('↳ Admission rate limit while pacing (mean of polls)', 'req/s', mean(r.withNoisy.pacingRate)),
    ...(unpaced
      ? [
          ratioRow('↳ Same figure with pacing off (STRATUS_EVENT_LOOP_TARGET=1): quiet p99', 'ms', 'quiet alone', unpaced.alone.latencyMs.p99, unpaced.withNoisy.latencyMs.p99),
          ratioRow('↳ Same figure with pacing off: noisy tenant throughput', 'req/s', 'one quiet tenant', unpaced.quietRatePerTenant, unpaced.noisy.throughput),
        ]
      : []),
  ];
}

function churnRows(c: ChurnResult): Row[] {
  const warm = 'same tenant, warm';
  return [
    ratioRow('Tenant churn: invoke to a new tenant, p50', 'ms', warm, c.sameTenantMs.p50, c.newTenantMs.p50),
    ratioRow('Tenant churn: invoke to a new tenant, p99', 'ms', warm, c.sameTenantMs.p99, c.newTenantMs.p99),
    valueRow('↳ Tenant churn: environment create (Init Duration), p50', 'ms', c.newTenantInitMs.p50),
  ];
}

function densityRows(d: DensityResult | undefined, bareRssPerIsolate: number | undefined, e: EvictionResult | undefined): Row[] {
  const rows: Row[] = [];
  if (d && bareRssPerIsolate !== undefined) {
    rows.push(
      ratioRow(`Density: RSS per idle warm tenant environment (${d.tenants} tenants)`, 'MB', 'bare isolate+context', bareRssPerIsolate / MB, d.rssPerEnvironmentBytes / MB, {
        op: '<=',
        limit: 2,
        absolute: true,
      }),
    );
    rows.push(valueRow('↳ Density: EnvironmentMemoryBytes (V8 heap) per environment', 'MB', d.environmentMemoryPerEnvironmentBytes / MB));
    rows.push(valueRow('Density: failed requests while warming', 'requests', d.errors, { op: '<=', limit: 0 }));
  }
  if (e) {
    const grow = (e.peakRssBytes - e.before.ResidentMemoryBytes) / MB;
    rows.push(valueRow(`Eviction (${e.memoryBudgetMb} MB budget): new tenants served in ≤ ${e.timeBoxSeconds} s (target ${e.target})`, 'tenants', e.served));
    rows.push(valueRow('Eviction: failed requests', 'requests', e.errors, { op: '<=', limit: 0 }));
    rows.push(ratioRow('Eviction: peak RSS growth over the idle node', 'MB', 'environment budget', e.memoryBudgetMb, grow, { op: '<=', limit: 2 }));
    rows.push(valueRow('↳ Eviction: peak RSS', 'MB', e.peakRssBytes / MB));
    rows.push(valueRow(`↳ Eviction: environments alive at end (peak ${e.peakEnvironments})`, 'environments', e.end.Environments));
    const slope = secondHalfSlope(e);
    if (slope !== undefined) rows.push(valueRow('↳ Eviction: RSS growth over the second half of the tenants', 'MB per 1k tenants', slope));
  }
  return rows;
}

/** RSS growth per 1,000 tenants between the middle and the end of the run: near 0 when RSS is bounded, steady when it leaks. */
function secondHalfSlope(e: EvictionResult): number | undefined {
  const points = e.timeline.slice(0, -1); // the last point is after the settle pause
  const last = points.at(-1);
  const mid = points.find((p) => p[1]! >= (last?.[1] ?? 0) / 2);
  if (!last || !mid || last[1]! - mid[1]! < 100) return undefined;
  return (last[2]! - mid[2]!) / MB / ((last[1]! - mid[1]!) / 1000);
}

async function stratusChild(ctx: SuiteContext, name: string, options: Record<string, unknown> = {}): Promise<{ child: Child<Target>; target: Target }> {
  const child = await startChild<Target>('stratus', { BENCH_DATA_DIR: path.join(ctx.tmp, name), BENCH_STRATUS_OPTIONS: JSON.stringify(options) });
  const target: Target = { url: child.ready.url, region: child.ready.region, credentials: child.ready.credentials };
  await deployFunction(target, TENANT_FUNCTION, TENANT_HANDLER, { TenancyConfig: { TenantIsolationMode: 'PER_TENANT' } });
  return { child, target };
}

export async function runTenantsSuite(ctx: SuiteContext, figures: Record<TenantFigure, boolean>): Promise<SuiteOutcome> {
  const started = performance.now();
  let noisy: NoisyResult | undefined;
  let unpaced: NoisyResult | undefined;
  let churn: ChurnResult | undefined;
  if (figures.noisy || figures.churn) {
    const [{ child, target }, loader] = await Promise.all([
      stratusChild(ctx, 'tenants-data', CONFIG.eventLoopTarget > 0 ? { eventLoopTarget: CONFIG.eventLoopTarget } : {}),
      startChild<unknown>('loader'),
    ]);
    // Churn first, while the node holds few environments.
    if (figures.churn) {
      ctx.log(`bench tenants: churn (${CONFIG.churnSamples} new tenants)`);
      churn = await runChurn(target, CONFIG.churnSamples);
    }
    if (figures.noisy) {
      ctx.log('bench tenants: noisy neighbour');
      noisy = await runNoisyNeighbour(target, child, loader, { ...CONFIG, log: ctx.log });
    }
    closeClient();
    await child.close();
    if (figures.noisy && CONFIG.compareUnpaced) {
      // The same figure on a node that never paces: what the event-loop headroom buys, in this run.
      ctx.log('bench tenants: noisy neighbour, pacing off (STRATUS_EVENT_LOOP_TARGET=1)');
      const off = await stratusChild(ctx, 'unpaced-data', { eventLoopTarget: 1 });
      unpaced = await runNoisyNeighbour(off.target, off.child, loader, { ...CONFIG, log: ctx.log });
      closeClient();
      await off.child.close();
    }
    await loader.close();
  }

  let density: DensityResult | undefined;
  let bareRss: number | undefined;
  let eviction: EvictionResult | undefined;
  if (figures.density) {
    ctx.log(`bench tenants: density (${CONFIG.densityTenants} tenants)`);
    const bare = await startChild<unknown>('bare-isolate');
    const held = await bare.call<{ count: number; rssBefore: number; rssAfter: number }>('holdMany', { count: CONFIG.densityTenants, settleMs: CONFIG.settleMs });
    bareRss = (held.rssAfter - held.rssBefore) / held.count;
    await bare.close();
    const dense = await stratusChild(ctx, 'density-data', { memoryBudgetMb: CONFIG.densityBudgetMb, maxEnvironments: 2 * CONFIG.densityTenants });
    density = await runDensity(dense.target, CONFIG.densityTenants, CONFIG.warmConcurrency, CONFIG.settleMs);
    closeClient();
    await dense.child.close();

    ctx.log(`bench tenants: eviction (up to ${CONFIG.evictionTarget} tenants in ${CONFIG.evictionSeconds} s, ${CONFIG.evictionBudgetMb} MB budget)`);
    const small = await stratusChild(ctx, 'eviction-data', { memoryBudgetMb: CONFIG.evictionBudgetMb, maxEnvironments: 20_000 });
    eviction = await runEviction(small.target, {
      target: CONFIG.evictionTarget,
      timeBoxSeconds: CONFIG.evictionSeconds,
      concurrency: CONFIG.warmConcurrency,
      settleMs: CONFIG.settleMs,
      memoryBudgetMb: CONFIG.evictionBudgetMb,
    });
    closeClient();
    await small.child.close();
  }

  const rows = [...(noisy ? noisyRows(noisy, unpaced) : []), ...(churn ? churnRows(churn) : []), ...densityRows(density, bareRss, eviction)];
  const seconds = (performance.now() - started) / 1000;
  const table = writeResults(ctx.results, 'tenants', 'Stratus multi-tenant benchmark', rows, METHOD, {
    config: CONFIG,
    seconds,
    noisy,
    unpaced,
    churn,
    density: density && { ...density, bareRssPerIsolateBytes: bareRss },
    eviction,
  });
  return { name: 'tenants', rows, table, seconds };
}
