/** @module Figure 2: cold start, the first Invoke of N fresh functions with a ~10 KB bundle, against a bare isolate + context, sample by sample in turn. */
import type { Child } from './lib/children.ts';
import { coldHandlerSource } from './lib/handler-code.ts';
import { deployFunction, reportOf, invokePath, send, sign, type Target } from './lib/lambda-api.ts';
import { summarize, type Summary } from './lib/stats.ts';

export interface ColdResult {
  samples: number;
  bundleBytes: number;
  httpColdMs: Summary;
  engineInitMs: Summary;
  /** The first invocation itself (REPORT Duration), after the environment exists. */
  firstInvokeMs: Summary;
  /** HTTP cold minus Init and Duration: routing, auth, lookups, the code fetch and the pool, as the client sees them. */
  outsideEngineMs: Summary;
  bareIsolateMs: Summary;
  raw: { httpColdMs: number[]; engineInitMs: number[]; firstInvokeMs: number[]; bareIsolateMs: number[] };
}

const BARE_WARMUP = 3;

const coldName = (i: number) => `bench-cold-${i}`;

/** Deploys the N functions up front: building and the deploy check are not part of a cold start. */
export async function deployCold(t: Target, samples: number): Promise<number> {
  for (let i = 0; i < samples; i++) await deployFunction(t, coldName(i), coldHandlerSource(i));
  return coldHandlerSource(0).length;
}

/** Samples functions `first` to `first + samples - 1` (a figure may take its samples in blocks, interleaved with another server's). */
export async function runCold(t: Target, bare: Child<unknown>, samples: number, bundleBytes: number, first = 0): Promise<ColdResult> {
  // The first isolates of a process pay one-time library set-up; Stratus paid it in its deploy checks.
  for (let i = 0; i < BARE_WARMUP; i++) await bare.call('measure');
  const raw = { httpColdMs: [] as number[], engineInitMs: [] as number[], firstInvokeMs: [] as number[], bareIsolateMs: [] as number[] };
  const body = JSON.stringify({ op: 'format4', arg: 12.5 });
  for (let i = first; i < first + samples; i++) {
    const req = await sign(t, 'POST', invokePath(coldName(i)), body, { 'x-amz-log-type': 'Tail' });
    const measureStratus = async () => {
      const started = performance.now();
      const res = await send(t.url, req);
      const ms = performance.now() - started;
      if (res.status !== 200 || res.headers['x-amz-function-error'] !== undefined) throw new Error(`cold invoke ${coldName(i)}: ${res.status} ${res.text.slice(0, 200)}`);
      const { initDurationMs, durationMs } = reportOf(res);
      if (initDurationMs === undefined || durationMs === undefined) throw new Error(`cold invoke ${coldName(i)} has no Init Duration: it was not a cold start`);
      raw.httpColdMs.push(ms);
      raw.engineInitMs.push(initDurationMs);
      raw.firstInvokeMs.push(durationMs);
    };
    const measureBare = async () => {
      raw.bareIsolateMs.push((await bare.call<{ ms: number }>('measure')).ms);
    };
    // Alternate the order so neither side always runs right after the other's garbage.
    if (i % 2 === 0) {
      await measureStratus();
      await measureBare();
    } else {
      await measureBare();
      await measureStratus();
    }
  }
  return {
    samples,
    bundleBytes,
    httpColdMs: summarize(raw.httpColdMs),
    engineInitMs: summarize(raw.engineInitMs),
    firstInvokeMs: summarize(raw.firstInvokeMs),
    outsideEngineMs: summarize(raw.httpColdMs.map((ms, i) => ms - raw.engineInitMs[i]! - raw.firstInvokeMs[i]!)),
    bareIsolateMs: summarize(raw.bareIsolateMs),
    raw,
  };
}
