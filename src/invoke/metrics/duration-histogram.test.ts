import { describe, expect, it } from 'vitest';
import { DurationHistogram, HISTOGRAM_BUCKETS, bucketOf } from './duration-histogram.ts';

/** n samples at the quantiles (i + 0.5) / n of a distribution, given its inverse CDF: no randomness, exact truth. */
function fill(inverseCdf: (p: number) => number, n = 20_000): DurationHistogram {
  const h = new DurationHistogram();
  for (let i = 0; i < n; i++) h.record(inverseCdf((i + 0.5) / n));
  return h;
}

function expectWithin(actual: number, expected: number, relative: number): void {
  expect(Math.abs(actual - expected) / expected, `${actual} vs ${expected}`).toBeLessThanOrEqual(relative);
}

describe('DurationHistogram percentiles', () => {
  it('reads a uniform distribution within 3%', () => {
    const h = fill((p) => 1 + p * 999);
    expectWithin(h.quantile(0.5), 500.5, 0.03);
    expectWithin(h.quantile(0.9), 900.1, 0.03);
    expectWithin(h.quantile(0.99), 990.01, 0.03);
  });

  it('reads an exponential distribution (long tail) within 3%', () => {
    const mean = 20;
    const h = fill((p) => -mean * Math.log(1 - p));
    expectWithin(h.quantile(0.5), mean * Math.LN2, 0.03);
    expectWithin(h.quantile(0.9), mean * Math.log(10), 0.03);
    expectWithin(h.quantile(0.99), mean * Math.log(100), 0.03);
  });

  it('reads a Pareto distribution (heavy tail) within 3%', () => {
    const h = fill((p) => 2 / (1 - p) ** (1 / 1.5));
    for (const q of [0.5, 0.9, 0.99]) expectWithin(h.quantile(q), 2 / (1 - q) ** (1 / 1.5), 0.03);
  });

  it('reads a bimodal distribution (fast path plus slow cold starts) within 3%', () => {
    // 90% of calls uniform in 4-6 ms, 10% uniform in 400-600 ms.
    const h = fill((p) => (p < 0.9 ? 4 + (p / 0.9) * 2 : 400 + ((p - 0.9) / 0.1) * 200));
    expectWithin(h.quantile(0.5), 4 + (0.5 / 0.9) * 2, 0.03);
    expectWithin(h.quantile(0.99), 400 + 0.9 * 200, 0.03);
  });

  it('is exact for a constant duration, and never outside the observed range', () => {
    const h = fill(() => 12.3, 1000);
    expect(h.quantile(0.5)).toBe(12.3);
    expect(h.quantile(0.99)).toBe(12.3);
    const two = new DurationHistogram();
    two.record(3);
    two.record(700);
    expect(two.quantile(0.01)).toBeGreaterThanOrEqual(3);
    expect(two.quantile(1)).toBeLessThanOrEqual(700);
  });

  it('answers 0 when empty, and keeps out-of-range durations in the edge buckets', () => {
    expect(new DurationHistogram().quantile(0.5)).toBe(0);
    expect(bucketOf(-1)).toBe(0);
    expect(bucketOf(Number.NaN)).toBe(0);
    expect(bucketOf(0.001)).toBe(0);
    expect(bucketOf(5_000_000)).toBe(HISTOGRAM_BUCKETS - 1);
    const h = new DurationHistogram();
    h.record(-5);
    h.record(2_000_000);
    expect(h.quantile(0.25)).toBeLessThan(0.01);
    expect(h.quantile(1)).toBe(2_000_000);
  });

  it('puts every duration in a bucket no wider than 35%, so no estimate is off by more than half of it', () => {
    for (let ms = 0.02; ms < 900_000; ms *= 1.01) {
      expect(bucketOf(ms * 1.35)).toBeGreaterThan(bucketOf(ms));
    }
  });

  it('halves instead of wrapping when a bucket is full, keeping the percentiles', () => {
    const h = fill((p) => 1 + p * 999, 1000);
    const before = h.quantile(0.5);
    const i = bucketOf(1);
    h.counts[i] = 0xffff_ffff;
    h.record(1);
    expect(h.counts[i]).toBe(0x8000_0000);
    expect(h.quantile(0.5)).toBeLessThan(2);
    expect(before).toBeGreaterThan(400);
  });
});
