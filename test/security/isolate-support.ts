/** @module Helpers for hostile-code tests against the stratus-isolate engine: environments, requests, probes and bystanders. */
import { expect } from 'vitest';
import type { Environment, EnvironmentSpec, InvokeRequest, InvokeResult, StepScheduler } from '../../src/runtime/index.ts';
import { functionId, partitionOf } from '../../src/shared/identity.ts';
import { makeRequest, makeSpec, payloadOf, useIsolateEngine } from '../../src/runtime/isolate/test-support.ts';

/** Marks the host realm: a guest that can read these has reached the host. */
export const HOST_SECRET = 'host-secret-7f3a';
(globalThis as Record<string, unknown>).__stratusHostSentinel = HOST_SECRET;
process.env.STRATUS_HOST_SECRET = HOST_SECRET;

/**
 * Guest-side helper prepended to hostile handlers: says whether a value looks like anything of the
 * host (Node's process, its require, the sentinel above, an isolated-vm handle).
 */
export const GUEST_PROBE = `
const __hostLike = (v) => {
  try {
    if (v === null || v === undefined) return false;
    if (typeof v !== 'object' && typeof v !== 'function') return String(v).includes(${JSON.stringify(HOST_SECRET)});
    if (typeof v.binding === 'function' || typeof v.dlopen === 'function' || typeof v.getBuiltinModule === 'function') return true;
    if (v.mainModule !== undefined || (v.env && v.env.STRATUS_HOST_SECRET !== undefined)) return true;
    if (v.__stratusHostSentinel !== undefined || typeof v.applySync === 'function' || typeof v.derefInto === 'function') return true;
    if (typeof v === 'function' && typeof v.resolve === 'function' && typeof v.cache === 'object' && v.main !== undefined) return true;
    return false;
  } catch { return false; }
};
const __escape = (f) => { try { const v = f(); return __hostLike(v) || __hostLike(v && v.process) || __hostLike(v && v.constructor && v.constructor.constructor && v.constructor.constructor('return process')()); } catch { return false; } };
`;

const HOSTILE = partitionOf(functionId('123456789012', 'hostile'), '1', 'r1');

/** A hostile handler's spec: the probe helper goes in front of its code. */
export function spec(code: string, overrides: Partial<EnvironmentSpec> = {}): EnvironmentSpec {
  return makeSpec(GUEST_PROBE + code, { partition: HOSTILE, ...overrides });
}

export function request(overrides: Partial<InvokeRequest> & { timeoutMs?: number } = {}): InvokeRequest {
  return makeRequest({ invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:hostile', ...overrides });
}

export { payloadOf };

/** An engine whose environments are disposed after each test; handlers get the probe helper in front. */
export function useHostileEngine(opts: { maxLogBytes?: number; scheduler?: StepScheduler } = {}) {
  const base = useIsolateEngine(opts);
  return {
    engine: base.engine,
    env: (code: string, overrides: Partial<EnvironmentSpec> = {}): Promise<Environment> => base.env(GUEST_PROBE + code, { partition: HOSTILE, ...overrides }),
    /** Runs a handler body once and returns the invocation result. */
    async run(body: string, req: Partial<InvokeRequest> & { timeoutMs?: number } = {}, overrides: Partial<EnvironmentSpec> = {}): Promise<InvokeResult> {
      const env = await this.env(`exports.handler = async (event, context) => { ${body} };`, overrides);
      return env.invoke(request(req));
    },
    /**
     * Environments created before an attack and invoked while it runs: each needs several pump hops
     * (a timer) and must answer correctly, whatever the attack does to its own environment.
     */
    async bystanders(count = 2) {
      const envs = await Promise.all(
        Array.from({ length: count }, (_, i) =>
          this.env(`let calls = 0; exports.handler = async (e) => { await new Promise((r) => setTimeout(r, 20)); return { id: ${i}, n: e.n, calls: ++calls }; };`),
        ),
      );
      return {
        /** Invokes every bystander `rounds` times while the attack runs; resolves when all answered. */
        async invokeDuring<T>(attack: Promise<T>, rounds = 3): Promise<T> {
          const work = envs.map(async (env, id) => {
            for (let n = 1; n <= rounds; n++) {
              const result = await env.invoke(request({ payload: JSON.stringify({ n }), timeoutMs: 10_000 }));
              expect(result.outcome).toBe('ok');
              expect(payloadOf(result)).toEqual({ id, n, calls: n });
            }
          });
          const [outcome] = await Promise.all([attack, ...work]);
          return outcome;
        },
      };
    },
  };
}
