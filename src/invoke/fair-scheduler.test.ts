// The fair scheduler: slot bound, order within a flow, round-robin service across flows under saturation, and account-first fairness.
import { describe, expect, it } from 'vitest';
import { createFairScheduler } from './fair-scheduler.ts';

/** A step that finishes when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, step: () => opened };
}

const tick = () => new Promise((r) => setImmediate(r));

/** Tenants of one function of one account: fairness between them is round robin, with no guaranteed slot. */
const t = (tenant: string) => ['acct', 'fn', tenant] as const;

describe('fair scheduler', () => {
  it('runs at most `slots` steps at once', async () => {
    const s = createFairScheduler({ slots: 2 });
    const gates = [gate(), gate(), gate()];
    let started = 0;
    const runs = gates.map((g) => s.run(t('f'), () => (started++, g.step())));
    await tick();
    expect(started).toBe(2);
    expect(s.stats()).toMatchObject({ running: 2, waiting: 1 });
    gates[0]!.open();
    await tick();
    expect(started).toBe(3);
    gates[1]!.open();
    gates[2]!.open();
    await Promise.all(runs);
    expect(s.stats()).toMatchObject({ running: 0, waiting: 0, activeFlows: 0 });
  });

  it('serves a quiet flow next even behind a long queue of a noisy one', async () => {
    const s = createFairScheduler({ slots: 1 });
    const order: string[] = [];
    const blocker = gate();
    const first = s.run(t('noisy'), blocker.step);
    const noisy = Array.from({ length: 50 }, (_, i) => s.run(t('noisy'), async () => void order.push(`n${i}`)));
    const quiet = s.run(t('quiet'), async () => void order.push('q'));
    expect(s.waiting(t('noisy'))).toBe(50);
    blocker.open();
    await Promise.all([first, ...noisy, quiet]);
    // FIFO would put the quiet step 51st; round robin serves it within the first round.
    expect(order.indexOf('q')).toBeLessThanOrEqual(1);
    expect(order.filter((x) => x !== 'q')).toEqual(Array.from({ length: 50 }, (_, i) => `n${i}`));
  });

  it('charges flows for the time their steps take', async () => {
    let clock = 0;
    const s = createFairScheduler({ slots: 1, quantumMs: 1, now: () => clock });
    const order: string[] = [];
    const blocker = gate();
    const first = s.run(t('x'), blocker.step);
    const heavy = Array.from({ length: 5 }, () => s.run(t('heavy'), async () => void (order.push('h'), (clock += 10))));
    const light = Array.from({ length: 5 }, () => s.run(t('light'), async () => void (order.push('l'), (clock += 1))));
    blocker.open();
    await Promise.all([first, ...heavy, ...light]);
    // After its first 10 ms step the heavy flow waits while the light one catches up.
    expect(order.slice(0, 4)).toEqual(['h', 'l', 'l', 'l']);
  });

  it('passes results and errors through and frees the slot on failure', async () => {
    const s = createFairScheduler({ slots: 1 });
    await expect(s.run(t('f'), async () => 42)).resolves.toBe(42);
    await expect(s.run(t('f'), async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(
      s.run(t('f'), () => {
        throw new Error('sync');
      }),
    ).rejects.toThrow('sync');
    await expect(s.run(t('f'), async () => 'after')).resolves.toBe('after');
  });

  it('refuses a slot count below one', () => {
    expect(() => createFairScheduler({ slots: 0 })).toThrow(RangeError);
  });
});

describe('fair scheduler limits', () => {
  it('keeps one flow from holding more than its share of slots', async () => {
    const s = createFairScheduler({ slots: 4, maxPerFlow: 3 });
    const held = await Promise.all([s.acquire(t('hog')), s.acquire(t('hog')), s.acquire(t('hog'))]);
    let fourthHog = false;
    const pending = s.acquire(t('hog')).then((r) => ((fourthHog = true), r));
    const other = await s.acquire(t('other'));
    await tick();
    expect(fourthHog).toBe(false);
    other();
    await tick();
    expect(fourthHog).toBe(false);
    held[0]!();
    (await pending)();
    for (const r of held.slice(1)) r();
  });

  it('turns a waiter away after its wait time, and the queue moves on', async () => {
    const s = createFairScheduler({ slots: 1 });
    const release = await s.acquire(t('a'));
    const refused = s.acquire(t('b'), { timeoutMs: 20, error: () => new Error('busy') });
    await expect(refused).rejects.toThrow('busy');
    expect(s.stats()).toMatchObject({ waiting: 0, activeFlows: 0 });
    const later = s.acquire(t('c'), { timeoutMs: 1000, error: () => new Error('busy') });
    release();
    (await later)();
    expect(s.stats()).toMatchObject({ running: 0, waiting: 0 });
  });
});

describe('fair scheduler with a pacing gate', () => {
  /** A gate that lets `open` grants through, then refuses until given more. */
  function countingGate(open: number) {
    let refused = 0;
    let onRefuse: (() => void) | undefined;
    return {
      tryTake: () => {
        if (open > 0) return (open--, true);
        refused++;
        onRefuse?.();
        return false;
      },
      msUntilNext: () => 1,
      allow: (n: number) => void (open += n),
      get refused() {
        return refused;
      },
      /** Resolves once the gate has refused `n` times in all. */
      refusedTimes: (n: number) =>
        new Promise<void>((resolve) => {
          onRefuse = () => refused >= n && resolve();
          onRefuse();
        }),
    };
  }

  it('holds grants the gate refuses, then serves them round robin once it has room', async () => {
    const gate = countingGate(1);
    const s = createFairScheduler({ slots: 8, gate });
    const order: string[] = [];
    const first = s.run(t('noisy'), async () => void order.push('n0'));
    const noisy = Array.from({ length: 5 }, (_, i) => s.run(t('noisy'), async () => void order.push(`n${i + 1}`)));
    const quiet = s.run(t('quiet'), async () => void order.push('q'));
    await first;
    // Two more tries, each on the wake-up timer the refusal set: slots are free, but the gate has no token, so nothing else ran.
    await gate.refusedTimes(gate.refused + 2);
    expect(order).toEqual(['n0']);
    expect(s.stats()).toMatchObject({ running: 0, waiting: 6 });
    gate.allow(10);
    await Promise.all([...noisy, quiet]);
    // The quiet flow is served within the first round, not behind the noisy backlog.
    expect(order.indexOf('q')).toBeLessThanOrEqual(2);
  });

  it('keeps a paced waiter bounded by its wait time', async () => {
    const gate = countingGate(0);
    const s = createFairScheduler({ slots: 2, gate });
    await expect(s.acquire(t('a'), { timeoutMs: 20, error: () => new Error('node busy') })).rejects.toThrow('node busy');
    expect(s.stats()).toMatchObject({ running: 0, waiting: 0, activeFlows: 0 });
  });
});

describe('fair scheduler with a per-turn budget', () => {
  it('grants at most perTurn per event-loop turn, and serves a flow that arrives in between next', async () => {
    const s = createFairScheduler({ slots: 100, perTurn: 3 });
    const granted: string[] = [];
    const noisy = Array.from({ length: 9 }, (_, i) => s.acquire(t('noisy')).then((r) => (granted.push(`n${i}`), r)));
    await Promise.resolve();
    await Promise.resolve();
    // Three in this turn; the other six wait although slots are free.
    expect(granted).toEqual(['n0', 'n1', 'n2']);
    expect(s.stats()).toMatchObject({ running: 3, waiting: 6 });
    const quiet = s.acquire(t('quiet')).then((r) => (granted.push('q'), r));
    const releases = await Promise.all([...noisy, quiet]);
    // Round robin across the queues in the next turn: the quiet flow is not behind the six.
    expect(granted.indexOf('q')).toBeLessThanOrEqual(4);
    expect(granted).toHaveLength(10);
    for (const r of releases) r();
    expect(s.stats()).toMatchObject({ running: 0, waiting: 0 });
  });

  it('refuses a per-turn budget below one', () => {
    expect(() => createFairScheduler({ slots: 1, perTurn: 0 })).toThrow(RangeError);
    expect(() => createFairScheduler({ slots: 1, perTurn: 1.5 })).toThrow(RangeError);
  });
});

describe('fair scheduler across accounts', () => {
  it('gives an account with no slot one at once, even when another account holds every slot', async () => {
    const s = createFairScheduler({ slots: 2 });
    const hog = await Promise.all([s.acquire(['a', 'f', 'x']), s.acquire(['a', 'g', 'y'])]);
    let thirdHog = false;
    const pending = s.acquire(['a', 'f', 'z']).then((r) => ((thirdHog = true), r));
    const victim = await s.acquire(['b', 'f', '']);
    expect(s.stats()).toMatchObject({ running: 3, waiting: 1, activeAccounts: 2 });
    await tick();
    expect(thirdHog).toBe(false);
    victim();
    hog[0]!();
    (await pending)();
    hog[1]!();
    expect(s.stats()).toMatchObject({ running: 0, waiting: 0, activeAccounts: 0 });
  });

  it('serves accounts before tenants: 120 tenants of one account get no more turns than one tenant of another', async () => {
    const s = createFairScheduler({ slots: 2 });
    const order: string[] = [];
    const blockers = await Promise.all([s.acquire(['busy', 'f', '']), s.acquire(['busy', 'f', ''])]);
    const many = Array.from({ length: 120 }, (_, i) => s.run(['many', 'f', `t${i}`], async () => void order.push('many')));
    const one = Array.from({ length: 10 }, () => s.run(['one', 'f', 'only'], async () => void order.push('one')));
    for (const r of blockers) r();
    await Promise.all([...many, ...one]);
    // While both wait, they alternate: all ten of the single tenant's calls are among the first twenty-two.
    expect(order.slice(0, 22).filter((x) => x === 'one')).toHaveLength(10);
  });

  it('holds an account at its fair share while another waits, and gives it the idle share when none does', async () => {
    const s = createFairScheduler({ slots: 4 });
    const a = await Promise.all([1, 2, 3, 4].map(() => s.acquire(['a', 'f', ''])));
    const b1 = await s.acquire(['b', 'f', '']); // the guaranteed one: 5 running
    let aMore = false;
    let bMore = false;
    const aNext = s.acquire(['a', 'f', '']).then((r) => ((aMore = true), r));
    const bNext = s.acquire(['b', 'f', '']).then((r) => ((bMore = true), r));
    a[0]!();
    a[1]!();
    await tick();
    // Two slots freed: b (under its share of 2) gets one, a (at 2, its share) does not while b waits.
    expect(bMore).toBe(true);
    expect(aMore).toBe(false);
    b1();
    (await bNext)();
    (await aNext)();
    for (const r of a.slice(2)) r();
    // Alone again, one account may take every slot.
    const alone = await Promise.all([1, 2, 3, 4].map(() => s.acquire(['a', 'f', ''])));
    expect(s.stats()).toMatchObject({ running: 4, waiting: 0 });
    for (const r of alone) r();
  });
});
