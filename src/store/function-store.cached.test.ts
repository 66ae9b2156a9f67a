// The read cache in front of the function store: hits after a read, dropped by every write of the function.
import { describe, expect, it } from 'vitest';
import { openSqliteStores } from './index.ts';
import { withReadCache } from './function-store.cached.ts';
import type { FunctionVersionRecord } from './ports.ts';

function record(name: string, revisionId: string): FunctionVersionRecord {
  return {
    accountId: '111122223333', functionName: name, version: '$LATEST', runtime: 'stratus-isolate', handler: 'index.handler', role: '',
    description: '', memoryMb: 128, timeoutSec: 3, environment: {}, codeSha256: 'x', codeSize: 1, bundleSha256: 'b', handlerExport: 'handler',
    revisionId, lastModified: 'now',
  };
}

async function setup() {
  const stores = openSqliteStores(':memory:');
  await stores.accounts.createAccount({ id: '111122223333', name: 'a', isAdmin: true, createdAt: 'now' }, { accessKeyId: 'K', secretAccessKey: 's', accountId: '111122223333', createdAt: 'now' });
  let reads = 0;
  const counting = { ...stores.functions, getVersion: (...args: Parameters<typeof stores.functions.getVersion>) => (reads++, stores.functions.getVersion(...args)) };
  return { cached: withReadCache(counting), reads: () => reads };
}

describe('function store read cache', () => {
  it('serves repeated reads from memory', async () => {
    const { cached, reads } = await setup();
    await cached.createFunction(record('f', 'r1'));
    await cached.getVersion('111122223333', 'f', '$LATEST');
    await cached.getVersion('111122223333', 'f', '$LATEST');
    expect(reads()).toBe(1);
  });

  it('never serves a record older than the last write', async () => {
    const { cached } = await setup();
    await cached.createFunction(record('f', 'r1'));
    expect((await cached.getVersion('111122223333', 'f', '$LATEST'))?.revisionId).toBe('r1');
    await cached.updateLatest(record('f', 'r2'), 'r1');
    expect((await cached.getVersion('111122223333', 'f', '$LATEST'))?.revisionId).toBe('r2');
    await cached.deleteFunction('111122223333', 'f');
    expect(await cached.getVersion('111122223333', 'f', '$LATEST')).toBeUndefined();
  });

  it('does not cache misses, so a function created later is found', async () => {
    const { cached } = await setup();
    expect(await cached.getVersion('111122223333', 'g', '$LATEST')).toBeUndefined();
    await cached.createFunction(record('g', 'r1'));
    expect((await cached.getVersion('111122223333', 'g', '$LATEST'))?.revisionId).toBe('r1');
  });

  it('drops a read that straddles a write', async () => {
    const { cached } = await setup();
    await cached.createFunction(record('f', 'r1'));
    const inFlight = cached.getVersion('111122223333', 'f', '$LATEST');
    await cached.updateLatest(record('f', 'r2'), 'r1');
    await inFlight;
    expect((await cached.getVersion('111122223333', 'f', '$LATEST'))?.revisionId).toBe('r2');
  });
});
