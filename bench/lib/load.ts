/** @module HTTP load phases with autocannon, run from the bench's parent process (never inside a server under test). */
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

export interface PhaseOptions {
  url: string;
  request: SignedRequest;
  connections: number;
  seconds: number;
}

/** Runs one fixed-duration phase; throws if any response is not a 2xx or any request errors. */
export function runPhase(opts: PhaseOptions): Promise<PhaseResult> {
  const latencies: number[] = [];
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const instance = autocannon(
      {
        url: new URL(opts.request.path, opts.url).href,
        method: opts.request.method as 'POST',
        headers: opts.request.headers,
        body: opts.request.body,
        connections: opts.connections,
        pipelining: 1,
        duration: opts.seconds,
        timeout: 10,
      },
      (err, result) => {
        if (err) return reject(err);
        const bad = result.non2xx + result.errors; // errors include timeouts
        if (bad > 0) return reject(new Error(`${opts.url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts in a load phase`));
        // Counted from the responses we saw; autocannon's per-second sampling rounds the tail.
        resolve({ requests: latencies.length, seconds: (performance.now() - started) / 1000, latencies });
      },
    );
    instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTime: number) => {
      latencies.push(responseTime);
    });
  });
}
