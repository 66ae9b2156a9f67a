/**
 * @module A read-through cache in front of any FunctionStore: the invoke path reads a version or an
 * alias on every call, and those records change only through this same store, so every write here
 * drops the cached reads of its function. One node only: with several nodes sharing a database,
 * writes on another node need a change feed to invalidate (cluster mode).
 */
import type { AliasRecord, FunctionStore, FunctionVersionRecord, TenancyLimits } from './ports.ts';

type Entry = FunctionVersionRecord | AliasRecord | TenancyLimits;

export function withReadCache(store: FunctionStore, maxFunctions = 5_000): FunctionStore {
  // Per function, its cached reads; Map order doubles as least-recently-used order of functions.
  const byFunction = new Map<string, Map<string, Entry>>();
  const fnKey = (accountId: string, name: string) => `${accountId}\u0000${name}`;

  function entries(accountId: string, name: string): Map<string, Entry> {
    const key = fnKey(accountId, name);
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

  async function cached<T extends Entry>(accountId: string, name: string, sub: string, load: () => Promise<T | undefined>): Promise<T | undefined> {
    const hit = byFunction.get(fnKey(accountId, name))?.get(sub);
    if (hit !== undefined) return hit as T;
    const before = generation;
    const value = await load();
    // Misses are not cached: a function created a moment later must be found at once. A write that
    // landed while this read was in flight may have made the value stale, so it is not kept then.
    if (value !== undefined && generation === before) entries(accountId, name).set(sub, value);
    return value;
  }

  /** Bumped by every write: reads that straddle a write do not fill the cache. */
  let generation = 0;
  const drop = (accountId: string, name: string) => {
    generation++;
    byFunction.delete(fnKey(accountId, name));
  };

  /** Runs a write, then forgets the function's reads whatever the write's outcome. */
  const write = <A extends unknown[], R>(fn: (...args: A) => Promise<R>, target: (...args: A) => [string, string]) =>
    async (...args: A): Promise<R> => {
      generation++;
      try {
        return await fn(...args);
      } finally {
        drop(...target(...args));
      }
    };

  return {
    getVersion: (a, n, v) => cached(a, n, `v:${v}`, () => store.getVersion(a, n, v)),
    getAlias: (a, n, alias) => cached(a, n, `a:${alias}`, () => store.getAlias(a, n, alias)),
    getTenancyLimits: async (a, n) => (await cached(a, n, 'limits', () => store.getTenancyLimits(a, n))) ?? {},
    createFunction: write((r: FunctionVersionRecord) => store.createFunction(r), (r) => [r.accountId, r.functionName]),
    updateLatest: write((r: FunctionVersionRecord, e: string) => store.updateLatest(r, e), (r) => [r.accountId, r.functionName]),
    publishVersion: write(
      (a: string, n: string, e: string, d: string, r: string, now: string) => store.publishVersion(a, n, e, d, r, now),
      (a, n) => [a, n],
    ),
    deleteFunction: write((a: string, n: string) => store.deleteFunction(a, n), (a, n) => [a, n]),
    deleteVersion: write((a: string, n: string, v: string) => store.deleteVersion(a, n, v), (a, n) => [a, n]),
    createAlias: write((r: AliasRecord) => store.createAlias(r), (r) => [r.accountId, r.functionName]),
    updateAlias: write((r: AliasRecord, e: string) => store.updateAlias(r, e), (r) => [r.accountId, r.functionName]),
    deleteAlias: write((a: string, n: string, alias: string) => store.deleteAlias(a, n, alias), (a, n) => [a, n]),
    setTenancyLimits: write((a: string, n: string, l: TenancyLimits) => store.setTenancyLimits(a, n, l), (a, n) => [a, n]),
    latestPublished: (a, n) => store.latestPublished(a, n),
    listLatest: (a, m, l) => store.listLatest(a, m, l),
    listVersions: (a, n, m, l) => store.listVersions(a, n, m, l),
    listAliases: (a, n, m, l) => store.listAliases(a, n, m, l),
    aliasesUsingVersion: (a, n, v) => store.aliasesUsingVersion(a, n, v),
    referencesCode: (a, n, sha) => store.referencesCode(a, n, sha),
  };
}
