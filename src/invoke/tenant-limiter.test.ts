// Per-tenant limits: concurrency and token-bucket rate, per (function, tenant), with cached limits.
import { functionId } from '../shared/identity.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { createTenantLimiter, type TenantLimiter } from './tenant-limiter.ts';
import { isStratusError } from '../shared/errors.ts';
import type { TenancyLimits } from '../control/index.ts';

let limiter: TenantLimiter | undefined;
afterEach(() => limiter?.close());

function make(limits: TenancyLimits, t = { now: 0 }) {
  const throttles: string[] = [];
  limiter = createTenantLimiter({
    limitsOf: async () => limits,
    clock: { now: () => t.now },
    onThrottle: (_a, _f, tenant, reason) => throttles.push(`${tenant}:${reason}`),
  });
  return { limiter, t, throttles };
}

async function refused(p: Promise<unknown>) {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isStratusError(err)).toBe(true);
  return err as { code: string; retryAfterSeconds?: number; details?: Record<string, string> };
}

describe('tenant limiter', () => {
  it('admits everything when the function has no limits', async () => {
    const { limiter } = make({});
    for (let i = 0; i < 100; i++) await limiter.admit(functionId('a', 'f'), 't');
  });

  it('limits concurrency per tenant and frees the slot on release', async () => {
    const { limiter, throttles } = make({ maxConcurrency: 2 });
    const r1 = await limiter.admit(functionId('a', 'f'), 't1');
    await limiter.admit(functionId('a', 'f'), 't1');
    const err = await refused(limiter.admit(functionId('a', 'f'), 't1'));
    expect(err).toMatchObject({ code: 'TENANT_LIMIT_EXCEEDED', retryAfterSeconds: 1, details: { Reason: 'ConcurrentInvocationLimitExceeded' } });
    await limiter.admit(functionId('a', 'f'), 't2');
    await limiter.admit(functionId('a', 'g'), 't1');
    r1();
    r1();
    await limiter.admit(functionId('a', 'f'), 't1');
    await refused(limiter.admit(functionId('a', 'f'), 't1'));
    expect(throttles).toEqual(['t1:concurrency', 't1:concurrency']);
  });

  it('limits the request rate with a one-second bucket that refills over time', async () => {
    const { limiter, t } = make({ maxRequestsPerSecond: 4 });
    for (let i = 0; i < 4; i++) (await limiter.admit(functionId('a', 'f'), 't'))();
    const err = await refused(limiter.admit(functionId('a', 'f'), 't'));
    expect(err).toMatchObject({ retryAfterSeconds: 1, details: { Reason: 'CallerRateLimitExceeded' } });
    t.now += 250;
    (await limiter.admit(functionId('a', 'f'), 't'))();
    await refused(limiter.admit(functionId('a', 'f'), 't'));
  });

  it('tells slow rates when to come back', async () => {
    const { limiter } = make({ maxRequestsPerSecond: 0.1 });
    (await limiter.admit(functionId('a', 'f'), 't'))();
    expect((await refused(limiter.admit(functionId('a', 'f'), 't'))).retryAfterSeconds).toBe(10);
  });
});
