/** @module Public face of the pool: environments per partition, acquired for one invocation at a time. */
export type { AcquireResult, Lease, Pool, PoolStats } from './types.ts';
export type { PoolLogger } from './disposer.ts';
export type { PoolDeps } from './pool.ts';
export { createPool } from './pool.ts';
// The Engine port's types, for layers above the pool that describe environments without reaching into runtime/.
export type { Engine, EnvironmentSpec, GuestError } from '../runtime/index.ts';
export { createPoolModule, poolSettings, type PoolModuleDeps, type PoolSettings } from './module.ts';
