// The load governor: paces admissions only while flows compete and the event loop is over target.
import { describe, expect, it } from 'vitest';
import { createLoadGovernor, MAX_TRACKED_FLOWS, type LoadGovernorOptions } from './load-governor.ts';

/** A governor on a hand-driven clock: `tick(u)` ends an interval in which the loop was `u` busy. */
function harness(overrides: Partial<LoadGovernorOptions> = {}) {
  let clock = 0;
  let utilization = 0;
  let tickFn = () => {};
  const g = createLoadGovernor({
    target: 0.7,
    sample: () => utilization,
    now: () => clock,
    every: (_ms, fn) => ((tickFn = fn), () => {}),
    ...overrides,
  });
  return {
    g,
    advance: (ms: number) => void (clock += ms),
    tick(u: number) {
      utilization = u;
      clock += 100;
      tickFn();
    },
    /** Admits as many as the gate allows right now. */
    drain() {
      let n = 0;
      while (g.tryTake()) n++;
      return n;
    },
  };
}

/** A harness where a noisy flow saturated the loop (2000 per second at utilization 1) while a quiet one was active: pacing is on. */
function pacing(overrides: Partial<LoadGovernorOptions> = {}) {
  const h = harness(overrides);
  h.g.seen('quiet');
  admit(h, 'noisy', 200);
  h.tick(1);
  return { h, paced: h.g.stats().rate! };
}

/** Admits `n` requests spread over one interval, as a saturating flow would. */
function admit(h: ReturnType<typeof harness>, flow: string, n: number) {
  for (let i = 0; i < n; i++) {
    h.g.seen(flow);
    expect(h.g.tryTake()).toBe(true);
  }
}

describe('load governor', () => {
  it('never paces a node that serves one flow, however busy its loop', () => {
    const h = harness();
    admit(h, 'only', 300);
    h.tick(1);
    admit(h, 'only', 300);
    h.tick(1);
    expect(h.g.stats()).toMatchObject({ rate: null, activeFlows: 1, paced: 0 });
  });

  it('paces at the rate that brings a busy loop back to target while flows compete', () => {
    const { h } = pacing();
    // 2000/s scaled by 0.7/1.0.
    expect(h.g.stats().rate).toBeCloseTo(1400, 0);
    expect(h.g.tryTake()).toBe(false);
    expect(h.g.msUntilNext()).toBeGreaterThanOrEqual(1);
    h.advance(10);
    // 10 ms at 1400/s is 14 tokens, but the bucket holds only a small burst.
    expect(h.drain()).toBe(3);
    expect(h.g.stats().paced).toBe(3);
  });

  it('cuts the rate by at most half per interval, and never below a fifth of what the node admitted when pacing began', () => {
    const h = harness({ minRate: 100 });
    h.g.seen('a');
    admit(h, 'b', 200); // 2000 per second
    h.tick(1);
    expect(h.g.stats().rate).toBeCloseTo(1400, 0);
    h.g.seen('a');
    h.g.seen('b');
    h.tick(1); // nothing admitted, loop still over target: at most half of the last rate
    expect(h.g.stats().rate).toBeCloseTo(700, 0);
    for (let i = 0; i < 20; i++) {
      // The loop stays busy with other work, and pacing admits little: cutting further would only starve invocations.
      h.g.seen('a');
      h.g.seen('b');
      h.tick(0.9);
    }
    expect(h.g.stats().rate).toBe(400);
  });

  it('measures rates over the time that really passed, and ignores a reading that is not a number', () => {
    const h = harness();
    h.g.seen('a');
    admit(h, 'b', 200);
    h.advance(100); // the timer fired 100 ms late: 200 in 200 ms is 1000 per second, not 2000
    h.tick(1);
    expect(h.g.stats().rate).toBeCloseTo(700, 0);
    h.g.seen('a');
    h.g.seen('b');
    h.tick(Number.NaN);
    expect(h.g.stats().rate).toBeCloseTo(700, 0);
    expect(h.g.stats().utilization).toBe(1);
  });

  it('keeps pacing while it holds requests back, even when the admitted rate looks low', () => {
    const { h, paced } = pacing();
    h.g.seen('quiet');
    h.g.seen('noisy');
    // Long loop turns: the bucket is asked rarely, so it delivers well under its rate and refuses in between.
    h.advance(50);
    h.drain();
    expect(h.g.tryTake()).toBe(false);
    h.tick(0.5);
    expect(h.g.stats().rate).not.toBeNull();
    expect(h.g.stats().rate).toBeGreaterThan(paced);
  });

  it('grows the rate back under target and lifts it once demand falls well below', () => {
    const { h, paced } = pacing();
    // Demand at the paced rate, loop now at half: the rate grows by at most a quarter.
    h.g.seen('quiet');
    h.advance(100);
    let n = 0;
    for (let ms = 0; ms < 100; ms++) {
      h.advance(1);
      n += h.drain();
    }
    h.g.seen('noisy');
    h.tick(0.35);
    expect(n).toBeGreaterThan(0);
    expect(h.g.stats().rate).toBeGreaterThan(paced);
    expect(h.g.stats().rate).toBeLessThanOrEqual(paced * 1.25 + 1e-9);
    // An interval with almost nothing admitted: pacing ends.
    h.g.seen('quiet');
    h.g.seen('noisy');
    h.tick(0.1);
    expect(h.g.stats().rate).toBeNull();
    expect(h.g.tryTake()).toBe(true);
  });

  it('starts pacing the moment a second flow arrives at a loop one flow keeps saturated', () => {
    const h = harness();
    admit(h, 'noisy', 200);
    h.tick(1); // one flow: not paced, however busy
    expect(h.g.stats().rate).toBeNull();
    admit(h, 'noisy', 50);
    h.advance(25); // 50 admitted in 25 ms: 2000 per second
    h.g.seen('quiet');
    // Not at the next tick: now, at the rate that brings the loop back to target.
    expect(h.g.stats().rate).toBeCloseTo(1400, 0);
    expect(h.g.tryTake()).toBe(false);
  });

  it('stops pacing when the other flows have gone quiet for the activity window', () => {
    const { h } = pacing({ activeWindowMs: 300 });
    expect(h.g.stats().rate).not.toBeNull();
    for (let i = 0; i < 4; i++) {
      h.g.seen('noisy');
      h.tick(1);
    }
    expect(h.g.stats()).toMatchObject({ rate: null, activeFlows: 1 });
  });

  it('remembers a bounded number of flows, however many names a caller invents', () => {
    const h = harness();
    for (let i = 0; i < MAX_TRACKED_FLOWS + 500; i++) h.g.seen(`flow-${i}`);
    expect(h.g.stats().activeFlows).toBe(MAX_TRACKED_FLOWS);
    h.g.seen('flow-1');
    expect(h.g.stats().activeFlows).toBe(MAX_TRACKED_FLOWS);
  });

  it('is off at target 1, and refuses a target outside (0, 1]', () => {
    const h = harness({ target: 1 });
    h.g.seen('a');
    admit(h, 'b', 200);
    h.tick(1);
    expect(h.g.stats().rate).toBeNull();
    expect(() => createLoadGovernor({ target: 0, sample: () => 0 })).toThrow(RangeError);
    expect(() => createLoadGovernor({ target: 1.5, sample: () => 0 })).toThrow(RangeError);
  });
});
