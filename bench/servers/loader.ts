/** @module Bench child: a load generator (autocannon closed loop) on command, so heavy load never shares an event loop with a sender whose latencies are measured. */
import { serveParent } from '../lib/children.ts';
import { runCountedPhase, type PhaseOptions } from '../lib/load.ts';
import { summarize } from '../lib/stats.ts';

async function load(msg: Record<string, unknown>) {
  const r = await runCountedPhase(msg.options as PhaseOptions);
  // Only the summary crosses IPC: a closed loop can answer hundreds of thousands of requests.
  return { requests: r.requests, seconds: r.seconds, statuses: r.statuses, errors: r.errors, timeouts: r.timeouts, latencyMs: summarize(r.latencies) };
}

serveParent({ load }, async () => undefined);
process.send!({ type: 'ready' });
