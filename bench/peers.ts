/** @module The peers suite: warm invocation of the same handler on bare node:http, Stratus and workerd, loaded by one client in one run, written to bench/results/peers.{md,json}. */
import os from 'node:os';
import path from 'node:path';
import { startChild, type Child } from './lib/children.ts';
import { SMALL_HANDLER } from './lib/handler-code.ts';
import { closeClient, deployFunction, invokePath, send, sign, type Target } from './lib/lambda-api.ts';
import { ratioRow, type Row } from './lib/report.ts';
import { ratioSpread, runRotation, type Contender, type ContenderResult } from './lib/rotation.ts';
import { addedText, fmt, loadNote, sideTable, spreadText, writeSideResults } from './lib/side-table.ts';
import { warmRotationConfig } from './lib/stratus-contenders.ts';
import { startWorkerd, WORKERD_VERSION } from './lib/workerd.ts';
import { BODY, EXPECTED, FUNCTION_NAME, checkBoth } from './warm.ts';
import { CACHE_DIR, type SuiteContext, type SuiteOutcome } from './suite.ts';

const CONFIG = warmRotationConfig();

const BASE = 'node:http';
const STRATUS = 'Stratus';
const WORKERD = 'workerd';

const method = (workerdVersion: string) =>
  [
    `One autocannon client (in the bench process) loads each server in turn with the same SigV4-signed Invoke request ({"n":1}) and checks every answer is a 2xx.`,
    `node:http: a bare node:http server in a child process running the handler in-process (no auth). Stratus: \`startStratus\` in a child process, SigV4 verified, tenancy and limits on, the handler in an isolate.`,
    `workerd: ${workerdVersion} (npm workerd@${WORKERD_VERSION}, installed on demand into bench/.cache/), one process serving the same handler text wrapped as a Workers module \`fetch\` handler (parse the body, call, stringify); it ignores the signature headers.`,
    `Per concurrency: ${CONFIG.warmupSeconds} s warm-up each, then ${CONFIG.rounds} rounds of ${CONFIG.phaseSeconds} s per server, rotating which goes first.`,
    `Ratios are overall throughput over the baseline's, with the lowest and highest of the per-round ratios in brackets (a round's phases run back to back); latency percentiles are over all responses of all rounds (fractional ms, nearest rank).`,
  ].join(' ');

function rowsOf(c: number, r: Record<string, ContenderResult>, skipped: string | undefined): string[][] {
  const base = r[BASE]!;
  const s = r[STRATUS]!;
  const w = r[WORKERD];
  const rows: string[][] = [];
  rows.push([
    `c=${c}: throughput`,
    `${fmt(base.throughput)} req/s`,
    `${fmt(s.throughput)} req/s, ${spreadText(ratioSpread(s, base))}`,
    w ? `${fmt(w.throughput)} req/s, ${spreadText(ratioSpread(w, base))}` : '—',
    w ? spreadText(ratioSpread(s, w)) : '—',
  ]);
  for (const p of ['p50', 'p99'] as const) {
    rows.push([
      `c=${c}: ${p} latency`,
      `${fmt(base.latencyMs[p])} ms`,
      `${fmt(s.latencyMs[p])} ms (${addedText(s.latencyMs[p] - base.latencyMs[p])})`,
      w ? `${fmt(w.latencyMs[p])} ms (${addedText(w.latencyMs[p] - base.latencyMs[p])})` : '—',
      w ? addedText(s.latencyMs[p] - w.latencyMs[p]) : '—',
    ]);
  }
  if (skipped && c === CONFIG.concurrencies.at(-1)) rows.push(['workerd not measured', '—', '—', skipped, '—']);
  return rows;
}

/** The handler's answer from workerd, checked once like the other two servers' (checkBoth). */
async function checkWorkerd(url: string, target: Target): Promise<void> {
  const res = await send(url, await sign(target, 'POST', invokePath(FUNCTION_NAME), BODY));
  if (res.status !== 200 || JSON.stringify(JSON.parse(res.text)) !== EXPECTED) throw new Error(`workerd answered ${res.status} ${res.text.slice(0, 200)} instead of ${EXPECTED}`);
}

export async function runPeersSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  ctx.log('bench peers: starting servers');
  const [baseline, stratus] = await Promise.all([startChild<{ url: string }>('baseline'), startChild<Target>('stratus', { BENCH_DATA_DIR: path.join(ctx.tmp, 'peers-data') })]);
  const children: Child<unknown>[] = [baseline, stratus];
  const target: Target = { url: stratus.ready.url, region: stratus.ready.region, credentials: stratus.ready.credentials };
  await deployFunction(target, FUNCTION_NAME, SMALL_HANDLER);
  await checkBoth(target, baseline.ready.url);
  const request = () => sign(target, 'POST', invokePath(FUNCTION_NAME), BODY);

  const wd = await startWorkerd(CACHE_DIR, path.join(ctx.tmp, 'workerd'), SMALL_HANDLER, await request(), ctx.log);
  const workerd = wd.ok ? wd.workerd : undefined;
  const skipped = wd.ok ? undefined : wd.reason;
  if (skipped) ctx.log(`bench peers: ${skipped}`);
  if (workerd) await checkWorkerd(workerd.url, target);

  const contenders: Contender[] = [
    { name: BASE, url: baseline.ready.url, request },
    { name: STRATUS, url: target.url, request },
    ...(workerd ? [{ name: WORKERD, url: workerd.url, request }] : []),
  ];
  const measured: { concurrency: number; results: Record<string, ContenderResult> }[] = [];
  ctx.log('bench peers: warm invocation');
  for (const connections of CONFIG.concurrencies) {
    measured.push({ concurrency: connections, results: await runRotation(contenders, { ...CONFIG, connections, log: ctx.log }) });
  }

  closeClient();
  await Promise.all([...children.map((c) => c.close()), workerd?.close()]);

  // For run.ts's goal count: the standing goal is to pass workerd.
  const rows: Row[] = measured.flatMap(({ concurrency, results }) =>
    results[WORKERD]
      ? [ratioRow(`Warm invoke c=${concurrency}: throughput vs workerd`, 'req/s', 'workerd', results[WORKERD].throughput, results[STRATUS]!.throughput, { op: '>=', limit: 1 })]
      : [],
  );
  const header = ['Warm invoke', 'node:http (baseline)', 'Stratus (SigV4, tenancy)', 'workerd (no auth)', 'Stratus vs workerd (goal ≥ 1x)'];
  const table = sideTable(
    header,
    measured.flatMap(({ concurrency, results }) => rowsOf(concurrency, results, skipped)),
  );
  const seconds = (performance.now() - started) / 1000;
  const versionText = workerd?.version ?? `workerd@${WORKERD_VERSION} (not run)`;
  writeSideResults(ctx.results, 'peers', 'Stratus beside workerd: warm invocation', table, [loadNote(loadAtStart)], method(versionText), {
    config: CONFIG,
    seconds,
    workerd: workerd?.version ?? null,
    skipped: skipped ?? null,
    measured,
  });
  return { name: 'peers', rows, table, seconds };
}
