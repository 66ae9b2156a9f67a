/**
 * @module The invoke module: its settings (admission, pacing, metrics, quarantine limits), the
 * invocation stages every caller composes, the checked builder deploys go through, the tenant
 * metrics, and what happens when a function changes or an engine worker ends.
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { createTraceMapper, type ArtifactsServices } from '../artifacts/index.ts';
import { createResolver, type PackageBuilder } from '../control/index.ts';
import type { Pool } from '../pool/index.ts';
import type { Clock } from '../shared/clock.ts';
import { functionId } from '../shared/identity.ts';
import type { IdSource } from '../shared/ids.ts';
import type { Module } from '../shared/module.ts';
import { defineSettings } from '../shared/settings.ts';
import type { CodeStore, FunctionStore } from '../store/index.ts';
import { createCheckedBuilder } from './deploy-check.ts';
import { createFairScheduler } from './fair-scheduler.ts';
import { createLoadGovernor } from './load-governor.ts';
import { createTenantMetrics, type TenantMetrics } from './metrics/index.ts';
import { createQuarantine } from './quarantine.ts';
import { createInvocationStages, type InvocationStages } from './stages/index.ts';
import { createTenantLimiter } from './tenant-limiter.ts';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const invokeSettings = defineSettings({
  // Enough in flight to keep every execution slot busy while others parse, sign and respond.
  maxInflightInvocations: { env: 'STRATUS_MAX_INFLIGHT_INVOCATIONS', rule: intIn(1, 100_000).default(4 * os.availableParallelism()) },
  // Headroom for the tenants that are not saturating the node: their requests wait on this loop too.
  eventLoopTarget: { env: 'STRATUS_EVENT_LOOP_TARGET', rule: z.coerce.number().min(0.1).max(1).default(0.7) },
  metricsTenantLabelCap: { env: 'STRATUS_METRICS_TENANT_CAP', rule: intIn(0, 100_000).default(100) },
  // Each lost thread keeps a core busy until the process ends.
  lostThreadsPerAccount: { env: 'STRATUS_LOST_THREADS_PER_ACCOUNT', rule: intIn(1, 1_000).default(1) },
  workerCrashesPerFunction: { env: 'STRATUS_WORKER_CRASHES_PER_FUNCTION', rule: intIn(1, 1_000).default(3) },
  workerCrashesPerAccount: { env: 'STRATUS_WORKER_CRASHES_PER_ACCOUNT', rule: intIn(1, 100_000).default(10) },
});

export type InvokeSettings = ReturnType<typeof invokeSettings.read>;

const DEPLOY_CHECK_TIMEOUT_MS = 3_000;
/**
 * Invocations admitted per event-loop turn: each runs its signature check and engine call in the
 * turn that admits it, so this bounds how long another tenant's request waits to be read
 * (measured: 2 and 4 gave the same quiet-tenant latency; 4 keeps more throughput).
 */
const ADMISSIONS_PER_TURN = 4;

export interface InvokeModuleDeps {
  functions: FunctionStore;
  code: CodeStore;
  pool: Pool;
  /** Runtimes the node's engines serve: deploys of these are checked in an environment. */
  runtimes: Iterable<string>;
  /** Subscribes to engine workers ending, with the invocations that were running in them. */
  onWorkerEnded(listener: (running: Array<{ accountId: string; functionName: string }>) => void): void;
  artifacts: ArtifactsServices;
  clock: Clock;
  ids: IdSource;
  region: string;
}

export interface InvokeServices {
  stages: InvocationStages;
  metrics: TenantMetrics;
  /** Builds a deployment's code, waiting for a build slot, then checks it initializes in an environment. */
  builder: PackageBuilder;
  /** A function changed or was deleted: its warm environments go at once, and it gets another chance if quarantined. */
  functionChanged(accountId: string, functionName: string): void;
}

export function createInvokeModule(deps: InvokeModuleDeps, config: InvokeSettings): Module<InvokeServices> {
  const { pool, clock } = deps;
  // While tenants compete, admissions are paced so the event loop keeps headroom for the quiet ones.
  const governor = createLoadGovernor({ target: config.eventLoopTarget, sample: eventLoopSampler() });
  const metrics = createTenantMetrics({ tenantLabelCap: config.metricsTenantLabelCap, load: () => governor.stats() });
  const limiter = createTenantLimiter({
    limitsOf: async (accountId, functionName) => (await deps.functions.getTenancyLimits({ accountId, functionName }))?.limits ?? {},
    clock,
    onThrottle: (accountId, functionName, tenantId, reason) => metrics.throttled({ accountId, functionName, tenantId, reason }),
  });
  // No one (account, function, tenant) may hold more than three quarters of the admission slots.
  const admission = createFairScheduler({
    slots: config.maxInflightInvocations,
    maxPerFlow: Math.ceil((config.maxInflightInvocations * 3) / 4),
    gate: governor,
    perTurn: ADMISSIONS_PER_TURN,
  });
  // An account whose code loses this many engine threads, or ends this many workers, is refused on this node until it restarts.
  const quarantine = createQuarantine({
    accountLimit: config.lostThreadsPerAccount,
    crashLimit: config.workerCrashesPerFunction,
    accountCrashLimit: config.workerCrashesPerAccount,
  });
  deps.onWorkerEnded((running) => quarantine.workerEnded(running));
  const checked = createCheckedBuilder({
    build: deps.artifacts.build,
    pool,
    runtimes: new Set(deps.runtimes),
    checkTimeoutMs: DEPLOY_CHECK_TIMEOUT_MS,
    ids: deps.ids,
    region: deps.region,
    quarantine,
  });
  const { gate } = deps.artifacts;
  const resolve = createResolver({ functions: deps.functions, region: deps.region });
  const stages = createInvocationStages({
    resolve,
    pool,
    region: deps.region,
    // Errors and logs name the user's files and lines, not the bundle's.
    traces: createTraceMapper(),
    code: deps.code,
    clock,
    limiter,
    observer: metrics,
    quarantine,
    admission,
    activeFlow: (flow) => governor.seen(flow),
  });
  return {
    services: {
      stages,
      metrics,
      builder: { build: (zip, handler, runtime, ctx) => gate.run(ctx.accountId, () => checked.build(zip, handler, runtime, ctx), ctx.signal) },
      functionChanged(accountId, functionName) {
        quarantine.changed(accountId, functionName);
        void pool.evictFunction(functionId(accountId, functionName));
      },
    },
    stats() {
      const a = admission.stats();
      const g = governor.stats();
      const q = quarantine.stats();
      return {
        InflightInvocations: a.running,
        QueuedInvocations: a.waiting,
        MaxInflightInvocations: a.slots,
        EventLoopUtilization: Math.round(g.utilization * 1000) / 1000,
        EventLoopTarget: config.eventLoopTarget,
        // 0: not pacing.
        AdmissionRateLimit: g.rate === null ? 0 : Math.round(g.rate),
        ActiveFlows: g.activeFlows,
        PacedAdmissions: g.paced,
        EngineWorkerExits: q.workerCrashes,
        LostEngineThreads: q.lostThreads,
        QuarantinedFunctions: q.functions,
        QuarantinedAccounts: q.accounts,
      };
    },
    close() {
      limiter.close();
      governor.close();
    },
  };
}

/** Event-loop utilization (0-1) since the previous call. */
function eventLoopSampler(): () => number {
  let last = performance.eventLoopUtilization();
  return () => {
    const now = performance.eventLoopUtilization();
    const u = performance.eventLoopUtilization(now, last).utilization;
    last = now;
    return u;
  };
}
