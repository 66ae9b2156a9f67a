/** @module Tenant figure 1: nine quiet tenants at a steady open-loop rate, with and without a noisy tenant saturating the node, on one PER_TENANT function. */
import http from 'node:http';
import type { Child } from './lib/children.ts';
import { invokePath, nodeStats, send, sign, type Target } from './lib/lambda-api.ts';
import { failures, runPaced, type PacedResult } from './lib/paced.ts';
import type { PhaseOptions } from './lib/load.ts';
import { summarize, type Summary } from './lib/stats.ts';

export const TENANT_FUNCTION = 'bench-tenants';

export interface NoisyOptions {
  quietTenants: number;
  /** Requests per second each quiet tenant sends, open loop. */
  quietRate: number;
  /** Connections of the noisy tenant's load. */
  noisyConnections: number;
  /** The noisy tenant's rate over all its connections; absent: a closed loop, as fast as the node answers. */
  noisyRate?: number;
  rounds: number;
  phaseSeconds: number;
  log: (line: string) => void;
}

/** One side (quiet tenants alone, or with the noisy one), all phases pooled. */
export interface QuietSide {
  sent: number;
  latencyMs: Summary;
  failures: number;
  statuses: Record<string, number>;
  /** Worst lateness of the paced sender against its timetable, per phase. */
  maxLateMs: number[];
  /** Stratus's event-loop delay (ms) during each phase: time ready work waits that no Stratus scheduler can reorder. */
  loopDelayMs: LoopDelay[];
  /** Most guest steps seen waiting for an execution slot (WaitingSteps of /stratus/v1/node, polled), per phase. */
  maxWaitingSteps: number[];
  /** Invocations admitted through the pacer (event-loop headroom), per phase. */
  pacedAdmissions: number[];
  /** Mean admission rate limit while pacing (AdmissionRateLimit of /stratus/v1/node, polled; 0: never paced), per phase. */
  pacingRate: number[];
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  /** Share of one core the Stratus main thread used during the phase (Linux /proc), NaN elsewhere. */
  mainThreadCpu: number;
  /** Garbage collections of the Stratus process during the phase. */
  gc: { count: number; totalMs: number; maxMs: number };
}

export interface NoisyTenantLoad {
  requests: number;
  seconds: number;
  throughput: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  /** Noisy p50/p99 of each phase (its phases are not pooled: only summaries cross from the loader). */
  latencyMsPerPhase: Summary[];
}

export interface NoisyResult {
  quietTenants: number;
  quietRatePerTenant: number;
  noisyConnections: number;
  alone: QuietSide;
  withNoisy: QuietSide;
  noisy: NoisyTenantLoad;
}

interface LoaderAnswer {
  requests: number;
  seconds: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  latencyMs: Summary;
}

const BODY = JSON.stringify({ n: 1 });
const quietName = (i: number) => `quiet-${i + 1}`;
const NOISY = 'noisy';
/** The noisy load starts this long before the quiet phase and runs this long past it, so the quiet tenants see it at full strength throughout. */
const NOISY_LEAD_MS = 1000;
const PAUSE_MS = 1000;
const POLL_MS = 250;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const signInvoke = (t: Target, tenant: string) => sign(t, 'POST', invokePath(TENANT_FUNCTION), BODY, { 'x-amz-tenant-id': tenant });

/** Runs a paced quiet phase while watching the node: its event-loop delay and the fair scheduler's queue. */
async function quietPhase(t: Target, stratus: Child<unknown>, run: () => Promise<PacedResult>) {
  const statsAgent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  await stratus.call('loopDelay');
  let maxWaiting = 0;
  const rates: number[] = [];
  const before = await nodeStats(t, statsAgent);
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const ns = await nodeStats(t, statsAgent);
      maxWaiting = Math.max(maxWaiting, ns.WaitingSteps ?? 0);
      if (ns.AdmissionRateLimit > 0) rates.push(ns.AdmissionRateLimit);
      await sleep(POLL_MS);
    }
  })();
  const paced = await run();
  polling = false;
  await poller;
  const after = await nodeStats(t, statsAgent);
  const pacedAdmissions = after.PacedAdmissions - before.PacedAdmissions;
  const created = after.EnvironmentsCreated - before.EnvironmentsCreated;
  statsAgent.destroy();
  const pacingRate = rates.length === 0 ? 0 : rates.reduce((a, b) => a + b, 0) / rates.length;
  return { paced, loopDelay: await stratus.call<LoopDelay>('loopDelay'), maxWaiting, pacedAdmissions, pacingRate, created };
}

export async function runNoisyNeighbour(t: Target, stratus: Child<unknown>, loader: Child<unknown>, opts: NoisyOptions): Promise<NoisyResult> {
  const quiet = Array.from({ length: opts.quietTenants }, (_, i) => quietName(i));
  // Every tenant gets its environment before anything is timed: this figure is about warm fairness.
  for (const tenant of [...quiet, NOISY]) {
    const res = await send(t.url, await signInvoke(t, tenant));
    if (res.status !== 200 || res.headers['x-amz-function-error'] !== undefined) throw new Error(`tenant ${tenant}: ${res.status} ${res.text.slice(0, 200)}`);
  }
  const agent = new http.Agent({ keepAlive: true });
  const streams = async () => Promise.all(quiet.map(async (tenant) => ({ request: await signInvoke(t, tenant), ratePerSecond: opts.quietRate })));
  const noisyLoad = async (seconds: number) => {
    const options: PhaseOptions = { url: t.url, request: await signInvoke(t, NOISY), connections: opts.noisyConnections, seconds, overallRate: opts.noisyRate };
    return loader.call<LoaderAnswer>('load', { options });
  };

  // Warm-up: the noisy tenant's pool fills up to its concurrency, the quiet sender opens its sockets.
  await noisyLoad(3);
  await runPaced(t.url, await streams(), 2, agent);

  type Phase = Awaited<ReturnType<typeof quietPhase>>;
  const sides = { alone: [] as Phase[], withNoisy: [] as Phase[] };
  const noisyPhases: LoaderAnswer[] = [];
  for (let round = 0; round < opts.rounds; round++) {
    // Alternate which side goes first, so a slow stretch of the machine does not land on one side only.
    const order: (keyof typeof sides)[] = round % 2 === 0 ? ['alone', 'withNoisy'] : ['withNoisy', 'alone'];
    for (const side of order) {
      await sleep(PAUSE_MS);
      if (side === 'alone') {
        const s = await streams();
        sides.alone.push(await quietPhase(t, stratus, () => runPaced(t.url, s, opts.phaseSeconds, agent)));
      } else {
        const noisy = noisyLoad(opts.phaseSeconds + (2 * NOISY_LEAD_MS) / 1000);
        await sleep(NOISY_LEAD_MS);
        const s = await streams();
        sides.withNoisy.push(await quietPhase(t, stratus, () => runPaced(t.url, s, opts.phaseSeconds, agent)));
        noisyPhases.push(await noisy);
      }
      const last = sides[side].at(-1)!.paced;
      const noisyNote = side === 'withNoisy' ? `, noisy ${(noisyPhases.at(-1)!.requests / noisyPhases.at(-1)!.seconds).toFixed(0)} req/s` : '';
      const watch = sides[side].at(-1)!;
      opts.log(
        `  round ${round + 1} ${side.padEnd(9)} quiet p50 ${summarize(last.latencies).p50.toFixed(2)} ms p99 ${summarize(last.latencies).p99.toFixed(2)} ms, ${failures(last)} failed${noisyNote}; ` +
          `Stratus loop delay p99 ${watch.loopDelay.p99.toFixed(1)} ms, main thread CPU ${(watch.loopDelay.mainThreadCpu * 100).toFixed(0)}%, ` +
          `GC ${watch.loopDelay.gc.count}x ${watch.loopDelay.gc.totalMs.toFixed(0)} ms (max ${watch.loopDelay.gc.maxMs.toFixed(1)}), paced admissions ${watch.pacedAdmissions} at ~${watch.pacingRate.toFixed(0)}/s, environments created ${watch.created}, max waiting steps ${watch.maxWaiting}, sender late ≤ ${last.maxLateMs.toFixed(0)} ms`,
      );
    }
  }
  agent.destroy();

  const pool = (all: Phase[]): QuietSide => {
    const phases = all.map((p) => p.paced);
    const statuses: Record<string, number> = {};
    for (const p of phases) for (const [s, n] of Object.entries(p.statuses)) statuses[s] = (statuses[s] ?? 0) + n;
    return {
      sent: phases.reduce((n, p) => n + p.sent, 0),
      latencyMs: summarize(phases.flatMap((p) => p.latencies)),
      failures: phases.reduce((n, p) => n + failures(p), 0),
      statuses,
      maxLateMs: phases.map((p) => p.maxLateMs),
      loopDelayMs: all.map((p) => p.loopDelay),
      maxWaitingSteps: all.map((p) => p.maxWaiting),
      pacedAdmissions: all.map((p) => p.pacedAdmissions),
      pacingRate: all.map((p) => p.pacingRate),
    };
  };
  const noisyStatuses: Record<string, number> = {};
  for (const p of noisyPhases) for (const [s, n] of Object.entries(p.statuses)) noisyStatuses[s] = (noisyStatuses[s] ?? 0) + n;
  const requests = noisyPhases.reduce((n, p) => n + p.requests, 0);
  const seconds = noisyPhases.reduce((n, p) => n + p.seconds, 0);
  return {
    quietTenants: opts.quietTenants,
    quietRatePerTenant: opts.quietRate,
    noisyConnections: opts.noisyConnections,
    alone: pool(sides.alone),
    withNoisy: pool(sides.withNoisy),
    noisy: {
      requests,
      seconds,
      throughput: requests / seconds,
      statuses: noisyStatuses,
      errors: noisyPhases.reduce((n, p) => n + p.errors, 0),
      timeouts: noisyPhases.reduce((n, p) => n + p.timeouts, 0),
      latencyMsPerPhase: noisyPhases.map((p) => p.latencyMs),
    },
  };
}
