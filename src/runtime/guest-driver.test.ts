/** @module Tests of the guest driver's clock: the budget starts at the first step and is not charged while a step waits for its turn. */
import { describe, expect, it } from 'vitest';
import { StepBudget } from './guest-driver.ts';

describe('step budget', () => {
  it('has no deadline before the first step, and starts counting at it', () => {
    let now = 1_000;
    const budget = new StepBudget(300, () => now);
    expect(budget.deadline()).toBe(Infinity);
    now = 5_000; // queued for 4 s before the first step: not charged
    budget.wait();
    budget.go();
    expect(budget.deadline()).toBe(5_300);
  });

  it('does not charge the time a later step waits for its turn, and charges the rest', () => {
    let now = 0;
    const budget = new StepBudget(300, () => now);
    budget.wait();
    budget.go();
    now = 100; // ran 100 ms
    budget.wait();
    now = 2_100; // waited 2 s for an execution slot
    expect(budget.remaining()).toBe(200);
    budget.go();
    expect(budget.deadline()).toBe(2_300);
    now = 2_250; // ran or slept 150 ms
    expect(budget.remaining()).toBe(50);
  });
});
