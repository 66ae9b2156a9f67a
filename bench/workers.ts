/** @module The workers suite: warm invocation with engines in the server process against engines in 1, 2 and all cores' worth of worker processes, one client, one run, written to bench/results/workers.{md,json}. */
import os from 'node:os';
import { closeClient } from './lib/lambda-api.ts';
import { ratioRow, type Row } from './lib/report.ts';
import { ratioSpread, runRotation, type ContenderResult } from './lib/rotation.ts';
import { addedText, fmt, loadNote, sideTable, spreadText, writeSideResults } from './lib/side-table.ts';
import { startStratusContenders, warmRotationConfig } from './lib/stratus-contenders.ts';
import type { SuiteContext, SuiteOutcome } from './suite.ts';

const CONFIG = warmRotationConfig();

const BASE = 'node:http';
const IN_PROCESS = 'in process';
const CORES = os.availableParallelism();
/** Worker counts to measure: 1, 2 and every core (the default), without repeats. */
const COUNTS = [...new Set([1, 2, CORES])];
const name = (workers: number) => `${workers} worker${workers === 1 ? '' : 's'}${workers === CORES ? ' (default)' : ''}`;

const method = () =>
  [
    `One autocannon client (in the bench process) loads each server in turn with the same SigV4-signed Invoke request ({"n":1}) and checks every answer is a 2xx.`,
    `node:http: a bare node:http server in a child process running the handler in-process (no auth). The Stratus servers are \`startStratus\` in child processes, identical but for STRATUS_ENGINE_WORKERS: 0 (isolates in the server process) and ${COUNTS.join(', ')} engine worker processes (this machine has ${CORES} cores).`,
    `Per concurrency: ${CONFIG.warmupSeconds} s warm-up each, then ${CONFIG.rounds} rounds of ${CONFIG.phaseSeconds} s per server, rotating which goes first.`,
    `Ratios are throughput over the in-process server's, with the lowest and highest per-round ratios in brackets; latency percentiles are over all responses of all rounds.`,
  ].join(' ');

export async function runWorkersSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  ctx.log(`bench workers: starting servers (in process, ${COUNTS.join(', ')} workers)`);
  const { contenders, close } = await startStratusContenders(
    ctx.tmp,
    BASE,
    [0, ...COUNTS].map((workers) => ({ label: workers === 0 ? IN_PROCESS : name(workers), options: { engineWorkers: workers } })),
  );
  const measured: { concurrency: number; results: Record<string, ContenderResult> }[] = [];
  ctx.log('bench workers: warm invocation');
  for (const connections of CONFIG.concurrencies) {
    measured.push({ concurrency: connections, results: await runRotation(contenders, { ...CONFIG, connections, log: ctx.log }) });
  }
  closeClient();
  await close();

  const labels = contenders.slice(1).map((c) => c.name);
  const tableRows = measured.flatMap(({ concurrency: c, results: r }) => {
    const inProcess = r[IN_PROCESS]!;
    return [
      [
        `c=${c}: throughput`,
        `${fmt(r[BASE]!.throughput)} req/s`,
        ...labels.map((l) => (l === IN_PROCESS ? `${fmt(inProcess.throughput)} req/s` : `${fmt(r[l]!.throughput)} req/s, ${spreadText(ratioSpread(r[l]!, inProcess))}`)),
      ],
      ...(['p50', 'p99'] as const).map((p) => [
        `c=${c}: ${p} latency`,
        `${fmt(r[BASE]!.latencyMs[p])} ms`,
        ...labels.map((l) =>
          l === IN_PROCESS ? `${fmt(inProcess.latencyMs[p])} ms` : `${fmt(r[l]!.latencyMs[p])} ms (${addedText(r[l]!.latencyMs[p] - inProcess.latencyMs[p])})`,
        ),
      ]),
    ];
  });
  // Informational: what isolating engines in processes costs (or gains) at the default.
  const rows: Row[] = measured.map(({ concurrency, results }) =>
    ratioRow(`Warm invoke c=${concurrency}: default workers vs in process`, 'req/s', IN_PROCESS, results[IN_PROCESS]!.throughput, results[name(CORES)]!.throughput),
  );
  const table = sideTable(['Warm invoke', 'node:http (baseline)', ...labels.map((l) => `Stratus, ${l}`)], tableRows);
  const seconds = (performance.now() - started) / 1000;
  writeSideResults(ctx.results, 'workers', 'Engines in worker processes against engines in the server process: warm invocation', table, [loadNote(loadAtStart)], method(), {
    config: CONFIG,
    seconds,
    cores: CORES,
    measured,
  });
  return { name: 'workers', rows, table, seconds };
}
