/** @module The core suite: warm and cold invocation against same-run baselines (node:http, bare isolate), written to bench/results/core.{md,json}. */
import os from 'node:os';
import path from 'node:path';
import { deployCold, runCold, type ColdResult } from './cold.ts';
import { startChild, type Child } from './lib/children.ts';
import { SMALL_HANDLER } from './lib/handler-code.ts';
import { closeClient, deployFunction, type Target } from './lib/lambda-api.ts';
import { addedRow, ratioRow, writeResults, type Row } from './lib/report.ts';
import { FUNCTION_NAME, checkBoth, runWarm, type WarmResult } from './warm.ts';
import { num, type SuiteContext, type SuiteOutcome } from './suite.ts';

const CONFIG = {
  rounds: num('BENCH_ROUNDS', 3),
  phaseSeconds: num('BENCH_PHASE_SECONDS', 5),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 2),
  concurrencies: [1, 32],
  coldSamples: num('BENCH_COLD_SAMPLES', 40),
  /** Set BENCH_CPU_PROF=1 to write a V8 CPU profile of the Stratus process (read it with bench/profile-top.ts). */
  cpuProfile: process.env.BENCH_CPU_PROF === '1',
};

const METHOD = [
  `Every figure is a ratio against a baseline measured in the same run on the same machine.`,
  `Warm: autocannon (in the parent process) loads each server, each in its own child process, with the same SigV4-signed Invoke request ({"n":1});`,
  `the baseline is a bare node:http server running the same handler in-process; "DryRun" rows are Stratus answering X-Amz-Invocation-Type DryRun (auth, routing, lookups, no engine).`,
  `Per concurrency: ${CONFIG.warmupSeconds} s warm-up each, then ${CONFIG.rounds} rounds of ${CONFIG.phaseSeconds} s per side, rotating which side goes first;`,
  `latency percentiles are over all responses of all rounds (fractional ms, nearest rank). Rows marked ↳ are diagnostics without a goal.`,
  `Cold: ${CONFIG.coldSamples} functions with distinct ~10 KB bundles are deployed first; each sample is the HTTP latency of a function's first Invoke`,
  `(and its REPORT Init Duration and Duration), measured before the warm figure and taken in turn with one bare \`new ivm.Isolate({memoryLimit:128})\` + \`await createContext()\` in a separate child of the same process type.`,
].join(' ');

function rowsOf(warm: WarmResult[], cold: ColdResult | undefined): Row[] {
  const rows: Row[] = [];
  for (const w of warm) {
    const c = `c=${w.concurrency}`;
    rows.push(ratioRow(`Warm invoke ${c}: throughput`, 'req/s', 'node:http', w.baseline.throughput, w.stratus.throughput, { op: '>=', limit: 0.5 }));
    rows.push(addedRow(`Warm invoke ${c}: p50 latency`, 'ms', 'node:http', w.baseline.latencyMs.p50, w.stratus.latencyMs.p50, { op: '<=', limit: 1 }));
    rows.push(addedRow(`Warm invoke ${c}: p99 latency`, 'ms', 'node:http', w.baseline.latencyMs.p99, w.stratus.latencyMs.p99));
    // Diagnostic rows, no goal: the platform alone (DryRun stops before the engine).
    rows.push(ratioRow(`↳ DryRun ${c} (no engine): throughput`, 'req/s', 'node:http', w.baseline.throughput, w.dryRun.throughput));
    rows.push(addedRow(`↳ DryRun ${c} (no engine): p50 latency`, 'ms', 'node:http', w.baseline.latencyMs.p50, w.dryRun.latencyMs.p50));
  }
  if (!cold) return rows;
  const bare = 'bare isolate+context';
  rows.push(ratioRow('Cold start, HTTP invoke: p50', 'ms', bare, cold.bareIsolateMs.p50, cold.httpColdMs.p50, { op: '<=', limit: 2 }));
  rows.push(ratioRow('Cold start, HTTP invoke: p99', 'ms', bare, cold.bareIsolateMs.p99, cold.httpColdMs.p99, { op: '<=', limit: 2 }));
  rows.push(ratioRow('Cold start, engine create (Init Duration): p50', 'ms', bare, cold.bareIsolateMs.p50, cold.engineInitMs.p50, { op: '<=', limit: 2 }));
  rows.push(ratioRow('Cold start, engine create (Init Duration): p99', 'ms', bare, cold.bareIsolateMs.p99, cold.engineInitMs.p99, { op: '<=', limit: 2 }));
  rows.push(ratioRow('↳ Cold start, first invocation (REPORT Duration): p50', 'ms', bare, cold.bareIsolateMs.p50, cold.firstInvokeMs.p50));
  rows.push(ratioRow('↳ Cold start, outside the engine (HTTP - Init - Duration): p50', 'ms', bare, cold.bareIsolateMs.p50, cold.outsideEngineMs.p50));
  return rows;
}

/** Runs the warm and/or cold figures (`figures`), each server in its own child, and writes core.{md,json}. */
export async function runCoreSuite(ctx: SuiteContext, figures: { warm: boolean; cold: boolean }): Promise<SuiteOutcome> {
  const started = performance.now();
  const profDir = path.join(os.tmpdir(), `stratus-bench-prof-${Date.now()}`);
  ctx.log(`bench core: starting servers`);
  const [baseline, stratus, bare] = await Promise.all([
    startChild<{ url: string }>('baseline'),
    startChild<Target>('stratus', { BENCH_DATA_DIR: path.join(ctx.tmp, 'core-data') }, CONFIG.cpuProfile ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
    startChild<unknown>('bare-isolate'),
  ]);
  const children: Child<unknown>[] = [baseline, stratus, bare];
  const target: Target = { url: stratus.ready.url, region: stratus.ready.region, credentials: stratus.ready.credentials };

  ctx.log('bench core: deploying');
  await deployFunction(target, FUNCTION_NAME, SMALL_HANDLER);
  await checkBoth(target, baseline.ready.url);
  const bundleBytes = figures.cold ? await deployCold(target, CONFIG.coldSamples) : 0;

  // Cold first, on a server holding only the warm function: no pool of 32 idle isolates skews it.
  if (figures.cold) ctx.log('bench core: cold start');
  const cold = figures.cold ? await runCold(target, bare, CONFIG.coldSamples, bundleBytes) : undefined;
  if (figures.warm) ctx.log('bench core: warm invocation');
  const warm = figures.warm ? await runWarm(target, baseline.ready.url, { ...CONFIG, log: ctx.log }) : [];

  closeClient();
  await Promise.all(children.map((c) => c.close()));

  const rows = rowsOf(warm, cold);
  const seconds = (performance.now() - started) / 1000;
  const table = writeResults(ctx.results, 'core', 'Stratus core benchmark', rows, METHOD, { config: CONFIG, seconds, warm, cold });
  if (CONFIG.cpuProfile) ctx.log(`bench core: Stratus CPU profile in ${profDir} (summary: node --import tsx bench/profile-top.ts ${profDir})`);
  return { name: 'core', rows, table, seconds };
}
