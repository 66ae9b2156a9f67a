/**
 * @module Per-tenant limits of a function: concurrent invocations and requests per second (a token
 * bucket holding one second's worth), checked before an invocation takes an environment.
 */
import type { TenancyLimits } from '../control/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { FunctionId } from '../shared/identity.ts';
import { stratusError } from '../shared/errors.ts';

interface TenantState {
  inFlight: number;
  tokens: number;
  refilledAt: number;
}

const SWEEP_EVERY_MS = 30_000;

export type LimitReason = 'concurrency' | 'rate';

export interface TenantLimiter {
  /** Admits one invocation or throws TENANT_LIMIT_EXCEEDED (429 with Retry-After); call the returned release when it ends. */
  admit(fn: FunctionId, tenantId: string): Promise<() => void>;
  close(): void;
}

export function createTenantLimiter(deps: {
  /** Reads a function's limits; the function store's read cache makes this cheap per call. */
  limitsOf: (accountId: string, functionName: string) => Promise<TenancyLimits>;
  clock: Clock;
  onThrottle?: (accountId: string, functionName: string, tenantId: string, reason: LimitReason) => void;
}): TenantLimiter {
  const { clock } = deps;
  const states = new Map<string, TenantState>();

  function refill(s: TenantState, rps: number, now: number): void {
    s.tokens = Math.min(Math.max(1, rps), s.tokens + ((now - s.refilledAt) / 1000) * rps);
    s.refilledAt = now;
  }

  // Idle tenants with a full bucket carry no information: drop them so 10,000 tenants cost nothing at rest.
  const sweep = setInterval(() => {
    const now = clock.now();
    for (const [key, s] of states) if (s.inFlight === 0 && now - s.refilledAt > 1000) states.delete(key);
  }, SWEEP_EVERY_MS);
  sweep.unref();

  return {
    async admit(fn, tenantId) {
      const { accountId, name: functionName } = fn;
      const limits = await deps.limitsOf(accountId, functionName);
      if (limits.maxConcurrency === undefined && limits.maxRequestsPerSecond === undefined) return () => {};
      const key = `${fn.key}\u0000${tenantId}`;
      const now = clock.now();
      let s = states.get(key);
      if (!s) {
        s = { inFlight: 0, tokens: Math.max(1, limits.maxRequestsPerSecond ?? 1), refilledAt: now };
        states.set(key, s);
      }
      if (limits.maxConcurrency !== undefined && s.inFlight >= limits.maxConcurrency) {
        deps.onThrottle?.(accountId, functionName, tenantId, 'concurrency');
        throw stratusError('TENANT_LIMIT_EXCEEDED.concurrency', {
          tenant: tenantId,
          inFlight: s.inFlight,
          name: functionName,
          limit: limits.maxConcurrency,
          details: { Reason: 'ConcurrentInvocationLimitExceeded' },
        });
      }
      const rps = limits.maxRequestsPerSecond;
      if (rps !== undefined) {
        refill(s, rps, now);
        if (s.tokens < 1) {
          deps.onThrottle?.(accountId, functionName, tenantId, 'rate');
          throw stratusError('TENANT_LIMIT_EXCEEDED.rate', {
            tenant: tenantId,
            rps,
            name: functionName,
            retryAfterSeconds: Math.max(1, Math.ceil((1 - s.tokens) / rps)),
            details: { Reason: 'CallerRateLimitExceeded' },
          });
        }
        s.tokens -= 1;
      }
      s.inFlight++;
      const state = s;
      let released = false;
      return () => {
        if (released) return;
        released = true;
        state.inFlight--;
      };
    },
    close() {
      clearInterval(sweep);
    },
  };
}
