/** @module Figure 1: warm invocation of the small JSON handler over HTTP, Stratus against the bare node:http baseline, in alternating phases. */
import { invokePath, send, sign, type Target } from './lib/lambda-api.ts';
import { runPhase } from './lib/load.ts';
import { summarize, type Summary } from './lib/stats.ts';

export interface WarmOptions {
  concurrencies: number[];
  rounds: number;
  phaseSeconds: number;
  warmupSeconds: number;
  log: (line: string) => void;
}

export interface WarmSide {
  throughput: number;
  latencyMs: Summary;
  /** req/s of each round, to show how much the machine moved during the run. */
  perRound: number[];
}

export interface WarmResult {
  concurrency: number;
  baseline: WarmSide;
  stratus: WarmSide;
  /** Stratus answering DryRun: auth, routing and lookups without the engine, to tell the two costs apart. */
  dryRun: WarmSide;
}

type Side = 'baseline' | 'stratus' | 'dryRun';
const SIDES: Side[] = ['baseline', 'stratus', 'dryRun'];

export const FUNCTION_NAME = 'bench-echo';
export const BODY = JSON.stringify({ n: 1 });
export const EXPECTED = JSON.stringify({ ok: true, n: 1 });

/** The same signed Invoke request goes to both servers (the baseline ignores the signature), so both parse the same bytes. */
async function freshRequest(stratus: Target, side: Side = 'stratus') {
  return sign(stratus, 'POST', invokePath(FUNCTION_NAME), BODY, side === 'dryRun' ? { 'x-amz-invocation-type': 'DryRun' } : {});
}

/** One call to each, to fail fast if either answers something else than the handler's result. */
export async function checkBoth(stratus: Target, baselineUrl: string): Promise<void> {
  const req = await freshRequest(stratus);
  for (const [name, url] of [
    ['stratus', stratus.url],
    ['baseline', baselineUrl],
  ] as const) {
    const res = await send(url, req);
    if (res.status !== 200 || JSON.stringify(JSON.parse(res.text)) !== EXPECTED) {
      throw new Error(`${name} answered ${res.status} ${res.text.slice(0, 200)} instead of ${EXPECTED}`);
    }
  }
}

export async function runWarm(stratus: Target, baselineUrl: string, opts: WarmOptions): Promise<WarmResult[]> {
  const results: WarmResult[] = [];
  const urls: Record<Side, string> = { baseline: baselineUrl, stratus: stratus.url, dryRun: stratus.url };
  for (const connections of opts.concurrencies) {
    const acc = Object.fromEntries(SIDES.map((side) => [side, { requests: 0, seconds: 0, latencies: [] as number[], perRound: [] as number[] }])) as Record<
      Side,
      { requests: number; seconds: number; latencies: number[]; perRound: number[] }
    >;
    // Warm-up: Stratus fills its pool up to `connections` environments; every JIT settles.
    for (const side of SIDES) {
      await runPhase({ url: urls[side], request: await freshRequest(stratus, side), connections, seconds: opts.warmupSeconds });
    }
    for (let round = 0; round < opts.rounds; round++) {
      // Rotate who goes first, so a slow stretch of the machine does not land on one side only.
      const order = SIDES.map((_, k) => SIDES[(k + round) % SIDES.length]!);
      for (const side of order) {
        // Signed per phase: a signature is good for 5 minutes.
        const r = await runPhase({ url: urls[side], request: await freshRequest(stratus, side), connections, seconds: opts.phaseSeconds });
        const a = acc[side];
        a.requests += r.requests;
        a.seconds += r.seconds;
        for (const v of r.latencies) a.latencies.push(v);
        a.perRound.push(r.requests / r.seconds);
        opts.log(`  c=${connections} round ${round + 1} ${side.padEnd(8)} ${(r.requests / r.seconds).toFixed(0)} req/s`);
      }
    }
    const side = (s: Side): WarmSide => ({ throughput: acc[s].requests / acc[s].seconds, latencyMs: summarize(acc[s].latencies), perRound: acc[s].perRound });
    results.push({ concurrency: connections, baseline: side('baseline'), stratus: side('stratus'), dryRun: side('dryRun') });
  }
  return results;
}
