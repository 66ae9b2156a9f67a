/**
 * @module A read-through cache in front of any FunctionStore: the invoke path reads a version or an
 * alias on every call, and those records change only through this same store, so every write here
 * drops the cached reads of its function. One node only: with several nodes sharing a database,
 * writes on another node need a change feed to invalidate (cluster mode).
 */
import type { AliasRecord, FunctionKey, FunctionStore, FunctionVersionRecord, TenancyLimitsRecord } from './ports.ts';

/** Stands for "this function has no tenancy limits": unlike a missing version, that is read on every tenant's call. */
const NO_LIMITS = Symbol('no tenancy limits');

type Entry = FunctionVersionRecord | AliasRecord | TenancyLimitsRecord | typeof NO_LIMITS;

export function withReadCache(store: FunctionStore, maxFunctions = 5_000): FunctionStore {
  // Per function, its cached reads; Map order doubles as least-recently-used order of functions.
  const byFunction = new Map<string, Map<string, Entry>>();
  const fnKey = (k: FunctionKey) => `${k.accountId}\u0000${k.functionName}`;

  function entries(k: FunctionKey): Map<string, Entry> {
    const key = fnKey(k);
    let m = byFunction.get(key);
    if (m) {
      byFunction.delete(key);
    } else {
      m = new Map();
      if (byFunction.size >= maxFunctions) byFunction.delete(byFunction.keys().next().value!);
    }
    byFunction.set(key, m);
    return m;
  }

  async function cached<T extends Entry>(k: FunctionKey, sub: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = byFunction.get(fnKey(k))?.get(sub);
    if (hit !== undefined) return hit as T;
    const before = generation;
    const value = await load();
    // Misses are not cached: a function created a moment later must be found at once. A write that
    // landed while this read was in flight may have made the value stale, so it is not kept then.
    if (value !== undefined && generation === before) entries(k).set(sub, value);
    return value;
  }

  /** Bumped by every write: reads that straddle a write do not fill the cache. */
  let generation = 0;

  /** Runs a write, then forgets the function's reads whatever the write's outcome. */
  const write =
    <A, R>(fn: (arg: A) => Promise<R>, target: (arg: A) => FunctionKey) =>
    async (arg: A): Promise<R> => {
      generation++;
      try {
        return await fn(arg);
      } finally {
        generation++;
        byFunction.delete(fnKey(target(arg)));
      }
    };
  const self = <K extends FunctionKey>(k: K) => k;

  return {
    getVersion: (k) => cached(k, `v:${k.version}`, () => store.getVersion(k)),
    getAlias: (k) => cached(k, `a:${k.name}`, () => store.getAlias(k)),
    getTenancyLimits: async (k) => {
      const found = await cached(k, 'limits', async () => (await store.getTenancyLimits(k)) ?? NO_LIMITS);
      return found === NO_LIMITS ? undefined : found;
    },
    createFunction: write((r) => store.createFunction(r), self),
    updateLatest: write(
      (w) => store.updateLatest(w),
      (w) => w.next,
    ),
    publishVersion: write((r) => store.publishVersion(r), self),
    deleteFunction: write((k) => store.deleteFunction(k), self),
    deleteVersion: write((k) => store.deleteVersion(k), self),
    createAlias: write((r) => store.createAlias(r), self),
    updateAlias: write(
      (w) => store.updateAlias(w),
      (w) => w.next,
    ),
    deleteAlias: write((k) => store.deleteAlias(k), self),
    putTenancyLimits: write(
      (w) => store.putTenancyLimits(w),
      (w) => w.next,
    ),
    latestPublished: (k) => store.latestPublished(k),
    listLatest: (r) => store.listLatest(r),
    listVersions: (r) => store.listVersions(r),
    listAliases: (r) => store.listAliases(r),
    aliasesUsingVersion: (k) => store.aliasesUsingVersion(k),
    referencesCode: (r) => store.referencesCode(r),
  };
}
