/**
 * @module Event-loop headroom: while two or more flows compete, admissions are paced so the server's
 * one event loop stays under a target utilization. Every tenant's request waits for that loop (to be
 * read, parsed, signed and answered) before any scheduler of ours can order it, so a tenant that
 * keeps the node saturated would otherwise make the others wait behind whole loop turns of its work.
 * A token bucket whose rate is steered every interval from the measured utilization: over target,
 * the rate becomes what the last interval admitted scaled by target/measured (at most halving);
 * under target it grows back, and it is lifted once demand falls well below it. A node serving one
 * flow is never paced: there is nobody to keep headroom for.
 * Written by hand: adaptive-concurrency libraries steer on the latency of the call they protect,
 * not on the event loop that every request shares; the bucket and the steering are ~60 lines.
 */

export interface LoadGovernorStats {
  /** Admissions per second allowed now; null when not pacing. */
  rate: number | null;
  /** Event-loop utilization (0-1) measured over the last interval. */
  utilization: number;
  /** Flows that sent a request within the activity window. */
  activeFlows: number;
  /** Admissions that went through the pacing bucket (granted while pacing), since the start. */
  paced: number;
}

/** What the fair scheduler asks before each grant. */
export interface AdmissionGate {
  /** A request of this flow arrived. */
  seen(flow: string): void;
  /** Takes a token when one is available now. */
  tryTake(): boolean;
  /** Milliseconds until the next token, after tryTake has failed. */
  msUntilNext(): number;
}

export interface LoadGovernor extends AdmissionGate {
  stats(): LoadGovernorStats;
  close(): void;
}

export interface LoadGovernorOptions {
  /** Utilization (0-1] the loop is kept under while flows compete; 1 turns pacing off. */
  target: number;
  /** Utilization of the loop since the previous call (0-1). */
  sample: () => number;
  intervalMs?: number;
  /** A flow counts as active this long after its last request (5 s by default: tenants that were just here tend to come back). */
  activeWindowMs?: number;
  /** The rate never drops below this, so a loop busy with other work cannot starve invocations. */
  minRate?: number;
  now?: () => number;
  /** Calls `tick` every `ms` and returns a stop function (a timer by default; tests tick by hand). */
  every?: (ms: number, tick: () => void) => () => void;
}

const timerEvery = (ms: number, tick: () => void) => {
  const t = setInterval(tick, ms);
  t.unref();
  return () => clearInterval(t);
};

export function createLoadGovernor(opts: LoadGovernorOptions): LoadGovernor {
  if (!(opts.target > 0 && opts.target <= 1)) throw new RangeError('target must be above 0 and at most 1');
  const intervalMs = opts.intervalMs ?? 100;
  const minRate = opts.minRate ?? 100;
  const now = opts.now ?? (() => performance.now());
  const windowTicks = Math.max(1, Math.ceil((opts.activeWindowMs ?? 5000) / intervalMs));
  let rate: number | null = null;
  let tokens = 0;
  let refilledAt = now();
  let admitted = 0;
  let paced = 0;
  let utilization = 0;
  let ticks = 0;
  let tickedAt = now();
  /** Flow -> tick of its last request; pruned every tick, so it holds only the active flows. */
  const lastSeen = new Map<string, number>();
  /** Small, so one loop turn never takes in a large batch; at least one, so a paced node still answers at once when idle. */
  const burst = () => Math.max(1, Math.ceil((rate ?? 0) / 500));

  function refill(): void {
    const t = now();
    if (rate !== null) tokens = Math.min(burst(), tokens + ((t - refilledAt) * rate) / 1000);
    refilledAt = t;
  }

  /** Sets the rate for a loop measured `u` busy while `admittedRate` invocations per second were admitted. */
  function steer(u: number, admittedRate: number): void {
    if (opts.target >= 1 || lastSeen.size < 2) {
      rate = null;
      return;
    }
    refill();
    if (u > opts.target) {
      const base = rate === null ? admittedRate : Math.min(rate, admittedRate);
      if (rate === null) tokens = 0;
      rate = Math.max(minRate, base * Math.max(0.5, opts.target / u));
    } else if (rate !== null) {
      if (admittedRate < rate / 2) rate = null;
      else rate *= Math.min(1.25, opts.target / Math.max(u, 0.01));
    }
  }

  function tick(): void {
    ticks++;
    tickedAt = now();
    utilization = opts.sample();
    const admittedRate = (admitted * 1000) / intervalMs;
    admitted = 0;
    for (const [flow, at] of lastSeen) if (ticks - at > windowTicks) lastSeen.delete(flow);
    steer(utilization, admittedRate);
  }
  const stop = (opts.every ?? timerEvery)(intervalMs, tick);

  return {
    seen(flow) {
      const arriving = !lastSeen.has(flow);
      lastSeen.set(flow, ticks);
      // A flow arriving at a loop that one flow keeps saturated: pace now, not at the next tick, so its
      // first requests do not wait behind long turns of the other's work.
      if (arriving && rate === null && lastSeen.size === 2 && utilization > opts.target) {
        const elapsed = Math.max(1, now() - tickedAt);
        steer(utilization, (admitted * 1000) / elapsed);
      }
    },
    tryTake() {
      if (rate !== null) {
        refill();
        if (tokens < 1) return false;
        tokens -= 1;
        paced++;
      }
      admitted++;
      return true;
    },
    msUntilNext() {
      if (rate === null) return 0;
      return Math.max(1, Math.ceil(((1 - tokens) * 1000) / rate));
    },
    stats: () => ({ rate, utilization, activeFlows: lastSeen.size, paced }),
    close: stop,
  };
}
