// The invocation pipeline's stages, each on its own and composed: what a caller that assembles its
// own list (the sync route, later the queue worker) can count on.
import { describe, expect, it } from 'vitest';
import type { InvocationTarget, Resolver } from '../../control/index.ts';
import { createPool } from '../../pool/index.ts';
import { FakeEngine, FAKE_RUNTIME, manualClock } from '../../pool/fake-engine.test-support.ts';
import { parseEgressTag, type EgressPolicy } from '../../shared/egress-policy.ts';
import { isStratusError } from '../../shared/errors.ts';
import { functionId } from '../../shared/identity.ts';
import type { FunctionVersionRecord } from '../../store/index.ts';
import { versionRecord } from '../../store/records.test-support.ts';
import { createFairScheduler } from '../fair-scheduler.ts';
import { compose, type InvocationContext, type Stage } from '../invocation.ts';
import { createTenantLimiter } from '../tenant-limiter.ts';
import { createInvocationStages } from './index.ts';

const ACCOUNT = '123456789012';

function record(overrides: Partial<FunctionVersionRecord> = {}): FunctionVersionRecord {
  return versionRecord({ accountId: ACCOUNT, functionName: 'orders', runtime: FAKE_RUNTIME, ...overrides });
}

function ctxOf(overrides: Partial<InvocationContext> = {}): InvocationContext {
  return { id: 'req-1', ref: { fn: functionId(ACCOUNT, 'orders') }, rawPayload: Buffer.from('{"n":1}'), maxPayloadBytes: 1024, attempt: 1, ...overrides };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isStratusError(err)) throw new Error(`expected a StratusError, got ${String(err)}`);
  return err.code;
}

function setup(opts: { target?: FunctionVersionRecord; engine?: FakeEngine; limits?: { maxConcurrency?: number }; egress?: EgressPolicy } = {}) {
  const engine = opts.engine ?? new FakeEngine();
  const pool = createPool({
    engines: new Map([[FAKE_RUNTIME, engine]]),
    clock: manualClock(),
    keepAliveMs: 60_000,
    maxEnvironments: 4,
    memoryBudgetBytes: 1e9,
    acquireTimeoutMs: 0,
  });
  const admission = createFairScheduler({ slots: 1 });
  const resolved: InvocationTarget = { record: opts.target ?? record(), invokedArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:orders`, egress: opts.egress };
  const resolve: Resolver = async () => resolved;
  const limiter = createTenantLimiter({ limitsOf: async () => opts.limits ?? {}, clock: manualClock() });
  const stages = createInvocationStages({
    resolve,
    pool,
    region: 'us-east-1',
    code: {
      getBundle: async () => 'exports.handler = async () => 1;',
      getZip: async () => undefined,
      putZip: async () => {},
      putBundle: async () => {},
      collectGarbage: async () => ({ zips: 0, bundles: 0 }),
    },
    clock: manualClock(),
    limiter,
    admission,
  });
  return { stages, pool, engine, admission, limiter, resolved };
}

describe('compose', () => {
  it('runs stages in order and ends with undefined when no stage makes an outcome', async () => {
    const seen: string[] = [];
    const mark =
      (name: string): Stage =>
      (_ctx, next) => (seen.push(name), next());
    expect(await compose([mark('a'), mark('b')])(ctxOf())).toBeUndefined();
    expect(seen).toEqual(['a', 'b']);
  });

  it('refuses a stage that hands on twice', async () => {
    const twice: Stage = async (_ctx, next) => (await next(), next());
    await expect(compose([twice])(ctxOf())).rejects.toThrow(/next\(\) twice/);
  });
});

describe('stages', () => {
  it('resolve checks the payload size and tenant id, then fixes the partition by version, revision and tenant', async () => {
    const { stages } = setup();
    const run = compose([stages.resolve]);
    expect(await codeOf(run(ctxOf({ rawPayload: Buffer.alloc(2048) })))).toBe('INVOKE_PAYLOAD_TOO_LARGE');
    expect(await codeOf(run(ctxOf({ tenantId: 'a/b' })))).toBe('TENANT_ID_INVALID');
    const a = ctxOf({ tenantId: 't1' });
    const b = ctxOf({ tenantId: 't2' });
    await run(a);
    await run(b);
    expect(a.partition?.flow).toEqual([ACCOUNT, 'orders', 't1']);
    expect(a.partition?.key).not.toBe(b.partition?.key);
    expect(a.partition?.fn.key).toBe(b.partition?.fn.key);
  });

  it('tenancy refuses a PER_TENANT function called without a tenant, and a tenant sent to any other', async () => {
    const perTenant = setup({ target: record({ tenantIsolationMode: 'PER_TENANT' }) }).stages;
    expect(await codeOf(compose([perTenant.resolve, perTenant.tenancy])(ctxOf()))).toBe('TENANT_ID_REQUIRED');
    const plain = setup().stages;
    expect(await codeOf(compose([plain.resolve, plain.tenancy])(ctxOf({ tenantId: 't1' })))).toBe('TENANT_ID_UNEXPECTED');
  });

  it('payload takes an empty body as {} and refuses text that is not JSON', async () => {
    const { stages } = setup();
    const empty = ctxOf({ rawPayload: new Uint8Array() });
    await compose([stages.payload])(empty);
    expect(empty.payload).toBe('{}');
    expect(await codeOf(compose([stages.payload])(ctxOf({ rawPayload: Buffer.from('{nope') })))).toBe('INVOKE_PAYLOAD_INVALID');
  });

  it('admission holds its slot for a caller that keeps it, and gives it back otherwise, even when a later stage throws', async () => {
    const { stages, admission } = setup();
    const boom: Stage = () => Promise.reject(new Error('boom'));
    await expect(compose([stages.admission, boom])(ctxOf())).rejects.toThrow('boom');
    expect(admission.stats().running).toBe(0);
    let release: (() => void) | undefined;
    await compose([stages.admission])(ctxOf({ holdAdmission: (r) => (release = r) }));
    expect(admission.stats().running).toBe(1);
    release!();
    expect(admission.stats().running).toBe(0);
  });

  it('limits applies a tenant’s concurrency limit while the invocation runs and frees it after', async () => {
    const { stages } = setup({ limits: { maxConcurrency: 1 } });
    let inside: Promise<string> | undefined;
    const probe: Stage = async (ctx, next) => {
      inside = codeOf(compose([stages.resolve, stages.limits])(ctxOf({ tenantId: ctx.tenantId })));
      await inside;
      return next();
    };
    await compose([stages.resolve, stages.limits, probe])(ctxOf({ tenantId: 't1' }));
    expect(await inside).toBe('TENANT_LIMIT_EXCEEDED');
    await compose([stages.resolve, stages.limits])(ctxOf({ tenantId: 't1' }));
  });

  it('run leases an environment of the partition and ends in an outcome: succeeded, or failed with the init error', async () => {
    const { stages, engine } = setup();
    const sync = compose([stages.resolve, stages.tenancy, stages.payload, stages.limits, stages.run]);
    const first = await sync(ctxOf());
    expect(first).toMatchObject({ kind: 'succeeded', result: 'null', version: '$LATEST', timings: { cold: true, initDurationMs: 7 } });
    expect((await sync(ctxOf()))?.timings.cold).toBe(false);
    expect(engine.envs).toHaveLength(1);

    const failing = new FakeEngine();
    failing.failures.push({ errorType: 'Runtime.ImportModuleError', errorMessage: 'no module', trace: [] });
    const broken = setup({ engine: failing }).stages;
    const outcome = await compose([broken.resolve, broken.payload, broken.run])(ctxOf());
    expect(outcome).toMatchObject({ kind: 'failed', cause: 'function', error: { errorType: 'Runtime.ImportModuleError' } });
  });

  it('run hands the engine the parsed egress policy, and a changed tag policy means a new environment', async () => {
    const tagPolicy = (entries: string) => ({ rules: parseEgressTag(entries), source: 'tag' as const });
    const { stages, engine, resolved } = setup({ target: record({ version: '3' }), egress: tagPolicy('api.example.com') });
    const sync = compose([stages.resolve, stages.payload, stages.run]);
    await sync(ctxOf());
    expect(engine.envs[0]?.spec.egress).toEqual(tagPolicy('api.example.com'));
    await sync(ctxOf());
    expect(engine.envs).toHaveLength(1);
    // The tag changed; the published version and its revision did not.
    resolved.egress = tagPolicy('*.stripe.com');
    await sync(ctxOf());
    expect(engine.envs).toHaveLength(2);
    expect(engine.envs[1]?.spec.egress?.rules.map((r) => r.host)).toEqual(['stripe.com']);
    resolved.egress = undefined;
    await sync(ctxOf());
    expect(engine.envs[2]?.spec).not.toHaveProperty('egress');
  });

  it('run says which earlier stage is missing instead of running half-resolved', async () => {
    const { stages } = setup();
    expect(await codeOf(compose([stages.run])(ctxOf()))).toBe('INTERNAL');
  });
});
