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
  /** Takes a token when one is available now. */
  tryTake(): boolean;
  /** Milliseconds until the next token, after tryTake has failed. */
  msUntilNext(): number;
}

export interface LoadGovernor extends AdmissionGate {
  /** An invocation of this flow arrived (the API calls it once the request is authenticated). */
  seen(flow: string): void;
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

/** Flows remembered at most; past it new ones are not tracked (activeFlows then reads as this cap). */
export const MAX_TRACKED_FLOWS = 4096;

const timerEvery = (ms: number, tick: () => void) => {
  const t = setInterval(tick, ms);
  t.unref();
  return () => clearInterval(t);
};

export function createLoadGovernor(opts: LoadGovernorOptions): LoadGovernor {
  if (!(opts.target > 0 && opts.target <= 1)) throw new RangeError('target must be above 0 and at most 1');
  const intervalMs = opts.intervalMs ?? 100;
  const minRate = opts.minRate ?? 100;
  if (!(minRate > 0)) throw new RangeError('minRate must be above 0');
  const now = opts.now ?? (() => performance.now());
  const windowTicks = Math.max(1, Math.ceil((opts.activeWindowMs ?? 5000) / intervalMs));
  let rate: number | null = null;
  /** What the node admitted when pacing began: pacing never cuts below a fifth of it, whatever else keeps the loop busy. */
  let floor = minRate;
  let tokens = 0;
  let refilledAt = now();
  let admitted = 0;
  /** tryTake refusals in this interval: demand the rate held back. */
  let refused = 0;
  let lastAdmittedRate = 0;
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
  function steer(u: number, admittedRate: number, heldBack: boolean): void {
    if (opts.target >= 1 || lastSeen.size < 2) {
      rate = null;
      return;
    }
    refill();
    if (u > opts.target) {
      if (rate === null) {
        tokens = 0;
        floor = Math.max(minRate, admittedRate / 5);
      }
      // Toward what would bring the loop to target, but at most half per interval.
      const base = rate === null ? admittedRate : Math.min(rate, admittedRate);
      rate = Math.max(floor, (rate ?? admittedRate) / 2, (base * opts.target) / u);
    } else if (rate !== null) {
      // Lifted only when the rate held nothing back and demand sat well below it.
      if (!heldBack && admittedRate < rate / 2) rate = null;
      else rate *= Math.min(1.25, opts.target / Math.max(u, 0.01));
    }
  }

  function tick(): void {
    ticks++;
    const t = now();
    const elapsed = Math.max(1, t - tickedAt);
    tickedAt = t;
    const u = opts.sample();
    // setInterval fires late on a busy loop: rates are per the time that really passed.
    const admittedRate = (admitted * 1000) / elapsed;
    const heldBack = refused > 0;
    admitted = 0;
    refused = 0;
    for (const [flow, at] of lastSeen) if (ticks - at > windowTicks) lastSeen.delete(flow);
    if (!Number.isFinite(u)) return;
    utilization = Math.min(1, Math.max(0, u));
    lastAdmittedRate = admittedRate;
    steer(utilization, admittedRate, heldBack);
  }
  const stop = (opts.every ?? timerEvery)(intervalMs, tick);

  return {
    seen(flow) {
      const arriving = !lastSeen.has(flow);
      // Only "two or more" matters; the cap keeps a caller inventing flow names from growing the map.
      if (arriving && lastSeen.size >= MAX_TRACKED_FLOWS) return;
      lastSeen.set(flow, ticks);
      // A flow arriving at a loop that one flow keeps saturated: pace now, from the last interval's
      // measurements, rather than at the next tick, so its first requests do not wait behind long
      // turns of the other's work.
      if (arriving && rate === null && lastSeen.size === 2 && utilization > opts.target) steer(utilization, lastAdmittedRate, false);
    },
    tryTake() {
      if (rate !== null) {
        refill();
        if (tokens < 1) {
          refused++;
          return false;
        }
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
    close() {
      stop();
      rate = null;
    },
  };
}
