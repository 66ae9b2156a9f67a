// The read cache in front of the function store: hits after a read, dropped by every write of the function.
import { describe, expect, it } from 'vitest';
import { openSqliteStores } from './index.ts';
import { withReadCache } from './function-store.cached.ts';
import type { FunctionKey, FunctionVersionRecord, VersionKey } from './ports.ts';
import { versionRecord } from './records.test-support.ts';

const F = { accountId: '111122223333', functionName: 'f', version: '$LATEST' };
const G = { accountId: '111122223333', functionName: 'g' };

function record(name: string, revisionId: string): FunctionVersionRecord {
  return versionRecord({ accountId: '111122223333', functionName: name, codeSha256: 'x', revisionId });
}

async function setup() {
  const stores = openSqliteStores(':memory:');
  await stores.accounts.createAccount(
    { id: '111122223333', name: 'a', isAdmin: true, createdAt: 'now' },
    { accessKeyId: 'K', secretAccessKey: 's', accountId: '111122223333', createdAt: 'now' },
  );
  let reads = 0;
  const counting = {
    ...stores.functions,
    getVersion: (k: VersionKey) => (reads++, stores.functions.getVersion(k)),
    getTenancyLimits: (k: FunctionKey) => (reads++, stores.functions.getTenancyLimits(k)),
  };
  return { cached: withReadCache(counting), reads: () => reads };
}

describe('function store read cache', () => {
  it('serves repeated reads from memory', async () => {
    const { cached, reads } = await setup();
    await cached.createFunction(record('f', 'r1'));
    await cached.getVersion(F);
    await cached.getVersion(F);
    expect(reads()).toBe(1);
  });

  it('never serves a record older than the last write', async () => {
    const { cached } = await setup();
    await cached.createFunction(record('f', 'r1'));
    expect((await cached.getVersion(F))?.revisionId).toBe('r1');
    await cached.updateLatest({ next: record('f', 'r2'), expectedRevisionId: 'r1' });
    expect((await cached.getVersion(F))?.revisionId).toBe('r2');
    await cached.deleteFunction(F);
    expect(await cached.getVersion(F)).toBeUndefined();
  });

  it('does not cache misses, so a function created later is found', async () => {
    const { cached } = await setup();
    expect(await cached.getVersion({ ...G, version: '$LATEST' })).toBeUndefined();
    await cached.createFunction(record('g', 'r1'));
    expect((await cached.getVersion({ ...G, version: '$LATEST' }))?.revisionId).toBe('r1');
  });

  it('drops a read that straddles a write', async () => {
    const { cached } = await setup();
    await cached.createFunction(record('f', 'r1'));
    const inFlight = cached.getVersion(F);
    await cached.updateLatest({ next: record('f', 'r2'), expectedRevisionId: 'r1' });
    await inFlight;
    expect((await cached.getVersion(F))?.revisionId).toBe('r2');
  });

  it('remembers that a function has no tenancy limits, until they are set', async () => {
    const { cached, reads } = await setup();
    await cached.createFunction(record('f', 'r1'));
    expect(await cached.getTenancyLimits(F)).toBeUndefined();
    expect(await cached.getTenancyLimits(F)).toBeUndefined();
    expect(reads()).toBe(1);
    const next = { accountId: F.accountId, functionName: 'f', limits: { maxConcurrency: 2 }, revisionId: 'l1' };
    expect(await cached.putTenancyLimits({ next, expectedRevisionId: undefined })).toBe(true);
    expect(await cached.getTenancyLimits(F)).toEqual(next);
  });
});
