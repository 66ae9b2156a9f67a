/** @module The stores suite: warm invocation with Stratus on PostgreSQL against Stratus on the embedded SQLite, one client, one run, written to bench/results/stores.{md,json}. */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import { closeClient } from './lib/lambda-api.ts';
import { ratioRow, type Row } from './lib/report.ts';
import { ratioSpread, runRotation, type ContenderResult } from './lib/rotation.ts';
import { addedText, fmt, loadNote, sideTable, spreadText, writeSideResults } from './lib/side-table.ts';
import { startStratusContenders, warmRotationConfig } from './lib/stratus-contenders.ts';
import type { SuiteContext, SuiteOutcome } from './suite.ts';

const CONFIG = warmRotationConfig();
/** The PostgreSQL the bench creates its own schema in (dropped at the end). */
const DATABASE_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

const BASE = 'node:http';
const SQLITE = 'SQLite';
const POSTGRES = 'PostgreSQL';

const method = () =>
  [
    `One autocannon client (in the bench process) loads each server in turn with the same SigV4-signed Invoke request ({"n":1}) and checks every answer is a 2xx.`,
    `node:http: a bare node:http server in a child process (no auth). SQLite: \`startStratus\` in a child process on the embedded store. PostgreSQL: the same with STRATUS_DATABASE_URL pointing at a fresh schema of ${DATABASE_URL.replace(/\/\/[^@]*@/, '//')} on this machine.`,
    `Both serve warm invocations through the read cache in front of the function store, so the figure shows what the store costs the warm path (the goal: within 10%).`,
    `Per concurrency: ${CONFIG.warmupSeconds} s warm-up each, then ${CONFIG.rounds} rounds of ${CONFIG.phaseSeconds} s per server, rotating which goes first. Ratios are PostgreSQL over SQLite, lowest and highest per-round ratio in brackets.`,
  ].join(' ');

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function runStoresSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const schema = `stratus_bench_${randomBytes(4).toString('hex')}`;
  let skipped: string | undefined;
  try {
    await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
  } catch (err) {
    skipped = `PostgreSQL not measured: ${err instanceof Error ? err.message : String(err)}`;
    ctx.log(`bench stores: ${skipped}`);
  }
  const url = `${DATABASE_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  ctx.log('bench stores: starting servers');
  const { contenders, close } = await startStratusContenders(ctx.tmp, BASE, [{ label: SQLITE }, ...(skipped ? [] : [{ label: POSTGRES, options: { databaseUrl: url } }])]);
  const measured: { concurrency: number; results: Record<string, ContenderResult> }[] = [];
  ctx.log('bench stores: warm invocation');
  for (const connections of CONFIG.concurrencies) {
    measured.push({ concurrency: connections, results: await runRotation(contenders, { ...CONFIG, connections, log: ctx.log }) });
  }
  closeClient();
  await close();
  if (!skipped) await admin((c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`));

  const tableRows = measured.flatMap(({ concurrency: c, results: r }) => {
    const lite = r[SQLITE]!;
    const pgr = r[POSTGRES];
    return [
      [
        `c=${c}: throughput`,
        `${fmt(r[BASE]!.throughput)} req/s`,
        `${fmt(lite.throughput)} req/s`,
        pgr ? `${fmt(pgr.throughput)} req/s, ${spreadText(ratioSpread(pgr, lite))}` : '—',
      ],
      ...(['p50', 'p99'] as const).map((p) => [
        `c=${c}: ${p} latency`,
        `${fmt(r[BASE]!.latencyMs[p])} ms`,
        `${fmt(lite.latencyMs[p])} ms`,
        pgr ? `${fmt(pgr.latencyMs[p])} ms (${addedText(pgr.latencyMs[p] - lite.latencyMs[p])})` : '—',
      ]),
    ];
  });
  if (skipped) tableRows.push(['PostgreSQL not measured', '—', '—', skipped]);
  const rows: Row[] = measured.flatMap(({ concurrency, results }) =>
    results[POSTGRES]
      ? [ratioRow(`Warm invoke c=${concurrency}: PostgreSQL vs SQLite`, 'req/s', SQLITE, results[SQLITE]!.throughput, results[POSTGRES].throughput, { op: '>=', limit: 0.9 })]
      : [],
  );
  const table = sideTable(['Warm invoke', 'node:http (baseline)', 'Stratus on SQLite', 'Stratus on PostgreSQL (goal within 10%)'], tableRows);
  const seconds = (performance.now() - started) / 1000;
  writeSideResults(ctx.results, 'stores', 'Stratus on PostgreSQL beside Stratus on SQLite: warm invocation', table, [loadNote(loadAtStart)], method(), {
    config: CONFIG,
    seconds,
    skipped: skipped ?? null,
    measured,
  });
  return { name: 'stores', rows, table, seconds };
}
