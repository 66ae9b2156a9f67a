/**
 * @module `npm run bench`: runs the core suite (warm and cold invocation, bench/results/core.{md,json})
 * the tenants suite (noisy neighbour, density, churn, bench/results/tenants.{md,json}) and the
 * hardening suite (denial-of-service patterns, build cost, bench/results/hardening.{md,json}), the
 * peers suite (Stratus beside workerd, peers.{md,json}) and the nodes suite (per Node.js major,
 * nodes.{md,json}) and the workers suite (engines in worker processes or in the server process,
 * workers.{md,json}) and the stores suite (PostgreSQL beside SQLite, stores.{md,json}), each server
 * in a child process. BENCH_ONLY=<suite or figure> runs one.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCoreSuite } from './core.ts';
import { runHardeningSuite } from './hardening.ts';
import { runNodesSuite } from './nodes.ts';
import { runPeersSuite } from './peers.ts';
import { runStoresSuite } from './stores.ts';
import { runWorkersSuite } from './workers.ts';
import { killAll } from './lib/children.ts';
import { met } from './lib/report.ts';
import type { SuiteContext, SuiteOutcome } from './suite.ts';
import { runTenantsSuite } from './tenants.ts';

const ONLY_CHOICES = ['all', 'core', 'tenants', 'hardening', 'warm', 'cold', 'noisy', 'density', 'churn', 'peers', 'nodes', 'workers', 'stores'] as const;
type Only = (typeof ONLY_CHOICES)[number];

/** Far above what all suites take, a first install of workerd and another Node included: only a hang reaches it. */
const WATCHDOG_MS = 30 * 60 * 1000;
const RESULTS = new URL('./results/', import.meta.url);

const log = (line: string) => process.stderr.write(`${line}\n`);

function only(): Only {
  const value = (process.env.BENCH_ONLY ?? 'all') as Only;
  if (!ONLY_CHOICES.includes(value)) throw new Error(`BENCH_ONLY must be one of ${ONLY_CHOICES.join(', ')}; got '${value}'`);
  return value;
}

async function main(): Promise<void> {
  const pick = only();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-bench-'));
  // Whatever way the process ends, no child and no data folder outlives it.
  process.on('exit', () => {
    killAll();
    fs.rmSync(tmp, { recursive: true, force: true });
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => process.exit(130));
  const watchdog = setTimeout(() => {
    log(`bench: still running after ${WATCHDOG_MS / 1000} s, giving up`);
    process.exit(2);
  }, WATCHDOG_MS);

  const started = performance.now();
  log(`bench: Node ${process.version}, ${os.cpus().length} CPUs, BENCH_ONLY=${pick}`);
  const ctx: SuiteContext = { tmp, results: RESULTS, log };
  const is = (...names: Only[]) => pick === 'all' || names.includes(pick);
  const outcomes: SuiteOutcome[] = [];
  if (is('core', 'warm', 'cold')) outcomes.push(await runCoreSuite(ctx, { warm: is('core', 'warm'), cold: is('core', 'cold') }));
  if (is('tenants', 'noisy', 'density', 'churn'))
    outcomes.push(await runTenantsSuite(ctx, { noisy: is('tenants', 'noisy'), density: is('tenants', 'density'), churn: is('tenants', 'churn') }));
  if (is('hardening')) outcomes.push(await runHardeningSuite(ctx));
  if (is('peers')) outcomes.push(await runPeersSuite(ctx));
  if (is('nodes')) outcomes.push(await runNodesSuite(ctx));
  if (is('workers')) outcomes.push(await runWorkersSuite(ctx));
  if (is('stores')) outcomes.push(await runStoresSuite(ctx));
  clearTimeout(watchdog);

  for (const o of outcomes) {
    process.stdout.write(`\n## ${o.name}\n\n${o.table}\n`);
    log(
      `bench ${o.name}: ${o.seconds.toFixed(0)} s; goals met ${o.rows.filter((r) => met(r) === true).length}/${o.rows.filter((r) => met(r) !== undefined).length}; wrote ${new URL(`${o.name}.md`, RESULTS).pathname} and ${o.name}.json`,
    );
  }
  log(`bench: done in ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    process.exit(1);
  },
);
