// Contract of what the store ports know about code references, run against every adapter set:
// which function versions have a CodeSha256 (download links check it at download time).
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStores } from './index.ts';
import type { FunctionVersionRecord, Stores } from './ports.ts';

/** Every adapter set runs the same suite; another adapter joins with one line here. */
const ADAPTERS: Array<[string, () => Stores]> = [['sqlite', () => openSqliteStores(':memory:')]];

const A = '111122223333';
const B = '444455556666';

function latest(accountId: string, name: string, codeSha256: string, revisionId = 'r1'): FunctionVersionRecord {
  return {
    accountId, functionName: name, version: '$LATEST', runtime: 'stratus-isolate', handler: 'index.handler', role: '', description: '',
    memoryMb: 128, timeoutSec: 3, environment: {}, codeSha256, codeSize: 1, bundleSha256: `bundle-of-${codeSha256}`, handlerExport: 'handler',
    revisionId, lastModified: 'now',
  };
}

describe.each(ADAPTERS)('%s stores: code references', (_name, open) => {
  let stores: Stores;
  async function setup(): Promise<Stores> {
    stores = open();
    for (const id of [A, B]) {
      await stores.accounts.createAccount({ id, name: `n${id}`, isAdmin: false, createdAt: 'now' }, { accessKeyId: `K${id}`, secretAccessKey: 's', accountId: id, createdAt: 'now' });
    }
    return stores;
  }
  afterEach(async () => stores?.close());

  it('answers for one function of one account only', async () => {
    const { functions } = await setup();
    await functions.createFunction(latest(A, 'f', 'sha-1'));
    await functions.createFunction(latest(B, 'f', 'sha-2'));
    expect(await functions.referencesCode(A, 'f', 'sha-1')).toBe(true);
    expect(await functions.referencesCode(A, 'f', 'sha-2')).toBe(false);
    expect(await functions.referencesCode(B, 'f', 'sha-1')).toBe(false);
    expect(await functions.referencesCode(A, 'g', 'sha-1')).toBe(false);
  });

  it('follows $LATEST and published versions through updates and deletes', async () => {
    const { functions } = await setup();
    await functions.createFunction(latest(A, 'f', 'sha-1'));
    expect(await functions.publishVersion(A, 'f', 'r1', '', 'r1v', 'now')).toBeDefined();
    expect(await functions.updateLatest(latest(A, 'f', 'sha-2', 'r2'), 'r1')).toBe(true);
    expect(await functions.referencesCode(A, 'f', 'sha-1')).toBe(true);
    expect(await functions.referencesCode(A, 'f', 'sha-2')).toBe(true);
    expect(await functions.deleteVersion(A, 'f', '1')).toBe(true);
    expect(await functions.referencesCode(A, 'f', 'sha-1')).toBe(false);
    expect(await functions.deleteFunction(A, 'f')).toBe(true);
    expect(await functions.referencesCode(A, 'f', 'sha-2')).toBe(false);
  });
});
