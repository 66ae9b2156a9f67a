/** @module HTTP load with autocannon (closed loop, fixed duration), run from a bench process that is never a server under test. */
// Latency comes from autocannon's per-response event in fractional ms: its own histogram
// records whole milliseconds, too coarse for a sub-millisecond baseline.
import autocannon from 'autocannon';
import type { SignedRequest } from './lambda-api.ts';

export interface PhaseResult {
  requests: number;
  seconds: number;
  /** Response times in ms, in arrival order. */
  latencies: number[];
}

export interface CountedPhaseResult extends PhaseResult {
  /** Responses by HTTP status ("200", "429", ...). */
  statuses: Record<string, number>;
  /** Requests that got no response: socket errors and timeouts. */
  errors: number;
  timeouts: number;
}

export interface PhaseOptions {
  url: string;
  request: SignedRequest;
  connections: number;
  seconds: number;
  /** Requests per second over all connections (autocannon's overallRate); absent: as fast as answers come back. */
  overallRate?: number;
}

/** Runs one fixed-duration phase and counts every outcome; never fails on a status. */
export function runCountedPhase(opts: PhaseOptions): Promise<CountedPhaseResult> {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: new URL(opts.request.path, opts.url).href,
        method: opts.request.method as 'POST',
        headers: opts.request.headers,
        body: opts.request.body,
        connections: opts.connections,
        ...(opts.overallRate ? { overallRate: opts.overallRate } : {}),
        pipelining: 1,
        duration: opts.seconds,
        timeout: 10,
      },
      (err, result) => {
        if (err) return reject(err);
        // Counted from the responses we saw; autocannon's per-second sampling rounds the tail.
        resolve({ requests: latencies.length, seconds: (performance.now() - started) / 1000, latencies, statuses, errors: result.errors, timeouts: result.timeouts });
      },
    );
    instance.on('response', (_client: unknown, status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
  });
}

/** Runs one fixed-duration phase; throws if any response is not a 2xx or any request errors. */
export async function runPhase(opts: PhaseOptions): Promise<PhaseResult> {
  const r = await runCountedPhase(opts);
  const non2xx = Object.entries(r.statuses).reduce((n, [status, count]) => (status.startsWith('2') ? n : n + count), 0);
  // errors include timeouts
  if (non2xx + r.errors > 0) throw new Error(`${opts.url}: ${non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts in a load phase`);
  return { requests: r.requests, seconds: r.seconds, latencies: r.latencies };
}
