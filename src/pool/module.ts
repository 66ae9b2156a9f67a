/** @module The pool module: its settings (keep-alive, environment count, memory budget), the pool, and its figures. */
import os from 'node:os';
import { z } from 'zod';
import type { Clock } from '../shared/clock.ts';
import type { Module } from '../shared/module.ts';
import { defineSettings } from '../shared/settings.ts';
import type { Engine } from '../runtime/index.ts';
import type { PoolLogger } from './disposer.ts';
import { createPool } from './pool.ts';
import type { Pool } from './types.ts';

const intIn = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const poolSettings = defineSettings({
  keepAliveSeconds: { env: 'STRATUS_KEEP_ALIVE_SECONDS', rule: intIn(1, 86_400).default(600) },
  maxEnvironments: { env: 'STRATUS_MAX_ENVIRONMENTS', rule: intIn(1, 100_000).default(1000) },
  // Half of the machine's memory by default: the rest is the server's own and the OS's. At least room for a few environments (about 1.5 MB each).
  memoryBudgetMb: { env: 'STRATUS_MEMORY_BUDGET_MB', rule: intIn(16, 10_000_000).default(Math.floor(os.totalmem() / 1048576 / 2)) },
});

export type PoolSettings = ReturnType<typeof poolSettings.read>;

/** How long an acquire waits at capacity for an environment to be released. */
const ACQUIRE_TIMEOUT_MS = 10_000;

export interface PoolModuleDeps {
  engines: ReadonlyMap<string, Engine>;
  clock: Clock;
  log: PoolLogger;
}

export function createPoolModule(deps: PoolModuleDeps, config: PoolSettings): Module<Pool> {
  const memoryBudgetBytes = config.memoryBudgetMb * 1048576;
  const pool = createPool({
    engines: deps.engines,
    clock: deps.clock,
    keepAliveMs: config.keepAliveSeconds * 1000,
    maxEnvironments: config.maxEnvironments,
    memoryBudgetBytes,
    acquireTimeoutMs: ACQUIRE_TIMEOUT_MS,
    logger: deps.log,
  });
  return {
    services: pool,
    stats() {
      const p = pool.stats();
      return {
        Environments: p.environments,
        IdleEnvironments: p.idle,
        BusyEnvironments: p.busy,
        Partitions: p.partitions,
        EnvironmentMemoryBytes: p.memoryBytes,
        EnvironmentReservedBytes: p.reservedBytes,
        EnvironmentsCreated: p.created,
        EnvironmentsEvicted: p.evicted,
        MaxEnvironments: config.maxEnvironments,
        MemoryBudgetBytes: memoryBudgetBytes,
      };
    },
    close: () => pool.close(),
  };
}
