/**
 * @module Open-loop paced sending: each stream sends its signed request on a fixed timetable,
 * whether or not earlier answers came back, and every response's latency and outcome is kept.
 * Written by hand: autocannon's rate limit is per connection and waits for the answer (closed loop),
 * which would hide queueing from a tenant that sends at a steady rate.
 */
import type http from 'node:http';
import { send, type SignedRequest } from './lambda-api.ts';

export interface PacedStream {
  request: SignedRequest;
  ratePerSecond: number;
}

export interface PacedResult {
  sent: number;
  seconds: number;
  /** Response times in ms, measured from the moment each request was handed to the socket. */
  latencies: number[];
  statuses: Record<string, number>;
  /** 200 answers that carry X-Amz-Function-Error: the handler failed. */
  functionErrors: number;
  /** Requests that got no HTTP answer at all. */
  networkErrors: number;
  /** How late the sender itself was against its timetable, worst case (ms): a check that the client kept pace. */
  maxLateMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends every stream at its rate for `seconds`, streams spread evenly over each period, then waits for the last answers. */
export async function runPaced(url: string, streams: PacedStream[], seconds: number, agent: http.Agent): Promise<PacedResult> {
  const schedule: { at: number; stream: PacedStream }[] = [];
  streams.forEach((stream, i) => {
    const period = 1000 / stream.ratePerSecond;
    for (let at = (i * period) / streams.length; at < seconds * 1000; at += period) schedule.push({ at, stream });
  });
  schedule.sort((a, b) => a.at - b.at);

  const result: PacedResult = { sent: 0, seconds, latencies: [], statuses: {}, functionErrors: 0, networkErrors: 0, maxLateMs: 0 };
  const inFlight: Promise<void>[] = [];
  const started = performance.now();
  for (const { at, stream } of schedule) {
    const wait = started + at - performance.now();
    if (wait > 0) await sleep(wait);
    result.maxLateMs = Math.max(result.maxLateMs, performance.now() - started - at);
    const sentAt = performance.now();
    result.sent++;
    inFlight.push(
      send(url, stream.request, agent).then(
        (res) => {
          result.latencies.push(performance.now() - sentAt);
          result.statuses[res.status] = (result.statuses[res.status] ?? 0) + 1;
          if (res.headers['x-amz-function-error'] !== undefined) result.functionErrors++;
        },
        () => {
          result.networkErrors++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return result;
}

/** Failed requests of a paced run: anything but a 200 without a function error. */
export function failures(r: PacedResult): number {
  const non200 = Object.entries(r.statuses).reduce((n, [status, count]) => (status === '200' ? n : n + count), 0);
  return non200 + r.functionErrors + r.networkErrors;
}
