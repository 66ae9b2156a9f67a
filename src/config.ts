/** @module Server configuration from the environment (STRATUS_*), validated with zod; errors name the variable. */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { databaseUrlProblem } from './store/index.ts';

export interface StratusConfig {
  host: string;
  port: number;
  dataDir: string;
  region: string;
  rootAccessKeyId?: string;
  rootSecretAccessKey?: string;
  logLevel: string;
  keepAliveSeconds: number;
  maxEnvironments: number;
  memoryBudgetMb: number;
  /** Guest steps running at once on the node; waiting steps are served fairly across tenants. */
  executionSlots: number;
  /** Engine worker processes the environments run in; 0 runs engines in the server process. */
  engineWorkers: number;
  /** Engine workers that may end under one function's invocations before it is refused on the node. */
  workerCrashesPerFunction: number;
  /** Engine workers that may end under one account's invocations, all its functions together, before the account is refused on the node. */
  workerCrashesPerAccount: number;
  /** Invocations in flight on the node at once; more wait, served fairly across tenants. */
  maxInflightInvocations: number;
  /** Event-loop utilization (0-1) kept while tenants compete: admissions are paced above it; 1 turns pacing off. */
  eventLoopTarget: number;
  /** Distinct tenant label values per function in /metrics; the rest are folded into `_other`. */
  metricsTenantLabelCap: number;
  /** Bearer token that /metrics requires; without one it answers loopback clients only. */
  metricsToken?: string;
  /** Signed control-plane requests at work at once on the node; more wait, served account first. */
  controlSlots: number;
  /** Bytes of request bodies one access key may have in flight. */
  bodyBytesPerKey: number;
  /** Bytes of request bodies the node may have in flight. */
  bodyBytes: number;
  /** Where build folders live while a build runs (default: in memory under /dev/shm where there is one, else in the data folder). */
  buildDir?: string;
  /** Engine threads an account's code may lose (steps that could not be stopped) before its functions are refused on this node. */
  lostThreadsPerAccount: number;
  /** Code builds (bundling processes) running at once on the node. */
  buildSlots: number;
  /** Code builds one account may have running at once; more wait their turn. */
  buildsPerAccount: number;
  /** Unreferenced code stored less than this long ago is kept: a deploy in flight may not have written its version yet. */
  codeGraceSeconds: number;
  /** PostgreSQL to keep everything in (postgres://...); absent: the embedded SQLite file in the data folder. */
  databaseUrl?: string;
}

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const schema = z.object({
  STRATUS_HOST: z.string().min(1).default('127.0.0.1'),
  STRATUS_PORT: intIn(0, 65535).default(9070),
  STRATUS_DATA_DIR: z.string().min(1).default('.stratus'),
  STRATUS_REGION: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/)
    .default('us-east-1'),
  STRATUS_ROOT_ACCESS_KEY_ID: z.string().optional(),
  STRATUS_ROOT_SECRET_ACCESS_KEY: z.string().optional(),
  STRATUS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  STRATUS_KEEP_ALIVE_SECONDS: intIn(1, 86_400).default(600),
  STRATUS_MAX_ENVIRONMENTS: intIn(1, 100_000).default(1000),
  // Half of the machine's memory by default: the rest is the server's own and the OS's.
  STRATUS_MEMORY_BUDGET_MB: intIn(64, 10_000_000).default(Math.floor(os.totalmem() / 1048576 / 2)),
  // Two per core: one running while the other's result crosses back to the event loop.
  STRATUS_EXECUTION_SLOTS: intIn(1, 10_000).default(2 * os.availableParallelism()),
  // One per core: engines run in worker processes, so a crash in engine code ends one worker, not the node.
  STRATUS_ENGINE_WORKERS: intIn(0, 256).default(os.availableParallelism()),
  STRATUS_WORKER_CRASHES_PER_FUNCTION: intIn(1, 1_000).default(3),
  STRATUS_WORKER_CRASHES_PER_ACCOUNT: intIn(1, 100_000).default(10),
  // Enough in flight to keep every execution slot busy while others parse, sign and respond.
  STRATUS_MAX_INFLIGHT_INVOCATIONS: intIn(1, 100_000).default(4 * os.availableParallelism()),
  // Headroom for the tenants that are not saturating the node: their requests wait on this loop too.
  STRATUS_EVENT_LOOP_TARGET: z.coerce.number().min(0.1).max(1).default(0.7),
  STRATUS_METRICS_TENANT_CAP: intIn(0, 100_000).default(100),
  STRATUS_METRICS_TOKEN: z.string().min(16).optional(),
  STRATUS_BUILD_DIR: z.string().min(1).optional(),
  // Each lost thread keeps a core busy until the process ends.
  STRATUS_LOST_THREADS_PER_ACCOUNT: intIn(1, 1_000).default(1),
  STRATUS_CONTROL_SLOTS: intIn(1, 10_000).default(4 * os.availableParallelism()),
  // One code upload (70 MB) and some invocations per key; a few keys' worth per node.
  STRATUS_BODY_MB_PER_KEY: intIn(1, 100_000).default(80),
  STRATUS_BODY_MB: intIn(1, 1_000_000).default(256),
  // A build is a process that keeps a core busy for seconds.
  STRATUS_BUILD_SLOTS: intIn(1, 1_000).default(os.availableParallelism()),
  STRATUS_BUILDS_PER_ACCOUNT: intIn(1, 1_000).optional(),
  // A deploy writes its version a moment after storing its code; minutes leave room for a slow disk.
  STRATUS_CODE_GRACE_SECONDS: intIn(0, 7 * 86_400).default(600),
  // The message says what is wrong without quoting the value: it may hold a password.
  STRATUS_DATABASE_URL: z
    .string()
    .optional()
    .superRefine((url, ctx) => {
      const problem = url ? databaseUrlProblem(url) : undefined;
      if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
    }),
});

/** Every STRATUS_* variable the server reads (the README's configuration table documents each). */
export const CONFIG_VARIABLES: readonly string[] = Object.keys(schema.shape);

/** Reads STRATUS_* variables; a bad value throws one line naming the variable and what it accepts. */
export function configFromEnv(env: NodeJS.ProcessEnv): StratusConfig {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${issue.path.join('.')}: ${issue.message}`);
  }
  const e = parsed.data;
  return {
    host: e.STRATUS_HOST,
    port: e.STRATUS_PORT,
    dataDir: path.resolve(e.STRATUS_DATA_DIR),
    region: e.STRATUS_REGION,
    rootAccessKeyId: e.STRATUS_ROOT_ACCESS_KEY_ID,
    rootSecretAccessKey: e.STRATUS_ROOT_SECRET_ACCESS_KEY,
    logLevel: e.STRATUS_LOG_LEVEL,
    keepAliveSeconds: e.STRATUS_KEEP_ALIVE_SECONDS,
    maxEnvironments: e.STRATUS_MAX_ENVIRONMENTS,
    memoryBudgetMb: e.STRATUS_MEMORY_BUDGET_MB,
    executionSlots: e.STRATUS_EXECUTION_SLOTS,
    engineWorkers: e.STRATUS_ENGINE_WORKERS,
    workerCrashesPerFunction: e.STRATUS_WORKER_CRASHES_PER_FUNCTION,
    workerCrashesPerAccount: e.STRATUS_WORKER_CRASHES_PER_ACCOUNT,
    maxInflightInvocations: e.STRATUS_MAX_INFLIGHT_INVOCATIONS,
    eventLoopTarget: e.STRATUS_EVENT_LOOP_TARGET,
    metricsTenantLabelCap: e.STRATUS_METRICS_TENANT_CAP,
    metricsToken: e.STRATUS_METRICS_TOKEN,
    buildDir: e.STRATUS_BUILD_DIR === undefined ? undefined : path.resolve(e.STRATUS_BUILD_DIR),
    controlSlots: e.STRATUS_CONTROL_SLOTS,
    lostThreadsPerAccount: e.STRATUS_LOST_THREADS_PER_ACCOUNT,
    bodyBytesPerKey: e.STRATUS_BODY_MB_PER_KEY * 1048576,
    bodyBytes: e.STRATUS_BODY_MB * 1048576,
    buildSlots: e.STRATUS_BUILD_SLOTS,
    // Half the slots by default, so one account's deploys always leave room for another's.
    buildsPerAccount: e.STRATUS_BUILDS_PER_ACCOUNT ?? Math.max(1, Math.floor(e.STRATUS_BUILD_SLOTS / 2)),
    codeGraceSeconds: e.STRATUS_CODE_GRACE_SECONDS,
    // Set but empty means unset, as shells and .env files often write it.
    databaseUrl: e.STRATUS_DATABASE_URL || undefined,
  };
}
