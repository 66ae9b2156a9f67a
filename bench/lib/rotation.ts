/** @module Closed-loop load on several servers in turn (same client, same request bytes), rounds rotating who goes first, for figures that put servers side by side. */
import type { SignedRequest } from './lambda-api.ts';
import { runPhase } from './load.ts';
import { summarize, type Summary } from './stats.ts';

export interface Contender {
  name: string;
  url: string;
  /** Signed afresh per phase: a signature is good for 5 minutes. Servers without auth ignore it. */
  request: () => Promise<SignedRequest>;
}

export interface RotationOptions {
  connections: number;
  rounds: number;
  phaseSeconds: number;
  warmupSeconds: number;
  log: (line: string) => void;
}

export interface ContenderResult {
  throughput: number;
  latencyMs: Summary;
  /** req/s of each round, in round order, so a ratio can be taken round by round. */
  perRound: number[];
}

/** Loads each contender for `phaseSeconds` per round; latency percentiles are over all rounds' responses. */
export async function runRotation(contenders: Contender[], opts: RotationOptions): Promise<Record<string, ContenderResult>> {
  const acc = new Map(contenders.map((c) => [c.name, { requests: 0, seconds: 0, latencies: [] as number[], perRound: [] as number[] }]));
  // Warm-up: pools fill up to `connections` environments, every JIT settles.
  for (const c of contenders) await runPhase({ url: c.url, request: await c.request(), connections: opts.connections, seconds: opts.warmupSeconds });
  for (let round = 0; round < opts.rounds; round++) {
    // Rotated, so a slow stretch of the machine does not land on one contender only.
    const order = contenders.map((_, k) => contenders[(k + round) % contenders.length]!);
    for (const c of order) {
      const r = await runPhase({ url: c.url, request: await c.request(), connections: opts.connections, seconds: opts.phaseSeconds });
      const a = acc.get(c.name)!;
      a.requests += r.requests;
      a.seconds += r.seconds;
      for (const v of r.latencies) a.latencies.push(v);
      a.perRound.push(r.requests / r.seconds);
      opts.log(`  c=${opts.connections} round ${round + 1} ${c.name.padEnd(12)} ${(r.requests / r.seconds).toFixed(0)} req/s`);
    }
  }
  const out: Record<string, ContenderResult> = {};
  for (const [name, a] of acc) out[name] = { throughput: a.requests / a.seconds, latencyMs: summarize(a.latencies), perRound: a.perRound };
  return out;
}

/** The ratio of two contenders' throughputs overall, with its lowest and highest over the rounds (each round's phases ran back to back). */
export function ratioSpread(of: ContenderResult, to: ContenderResult): { ratio: number; min: number; max: number } {
  const perRound = of.perRound.map((v, i) => v / to.perRound[i]!);
  return { ratio: of.throughput / to.throughput, min: Math.min(...perRound), max: Math.max(...perRound) };
}
