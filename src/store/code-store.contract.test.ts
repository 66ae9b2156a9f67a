// Contract of what the store ports know about code and its references, run against every adapter set:
// which versions have a CodeSha256 (download links check it), and collection of code no version references.
import { afterEach, describe, expect, it } from 'vitest';
import type { Clock } from '../shared/clock.ts';
import { openSqliteStores } from './index.ts';
import type { FunctionVersionRecord, Stores } from './ports.ts';

/** Every adapter set runs the same suite; another adapter joins with one line here. */
const ADAPTERS: Array<[string, (clock: Clock) => Stores]> = [['sqlite', (clock) => openSqliteStores(':memory:', clock)]];

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
  const clock = { t: 1_000, now: () => clock.t };
  async function setup(): Promise<Stores> {
    clock.t = 1_000;
    stores = open(clock);
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
    expect(await functions.referencesCode({ accountId: A, functionName: 'f', codeSha256: 'sha-1' })).toBe(true);
    expect(await functions.referencesCode({ accountId: A, functionName: 'f', codeSha256: 'sha-2' })).toBe(false);
    expect(await functions.referencesCode({ accountId: B, functionName: 'f', codeSha256: 'sha-1' })).toBe(false);
    expect(await functions.referencesCode({ accountId: A, functionName: 'g', codeSha256: 'sha-1' })).toBe(false);
  });

  it('follows $LATEST and published versions through updates and deletes', async () => {
    const { functions } = await setup();
    await functions.createFunction(latest(A, 'f', 'sha-1'));
    expect(await functions.publishVersion({ accountId: A, functionName: 'f', expectedRevisionId: 'r1', description: '', revisionId: 'r1v', lastModified: 'now' })).toBeDefined();
    expect(await functions.updateLatest({ next: latest(A, 'f', 'sha-2', 'r2'), expectedRevisionId: 'r1' })).toBe(true);
    expect(await functions.referencesCode({ accountId: A, functionName: 'f', codeSha256: 'sha-1' })).toBe(true);
    expect(await functions.referencesCode({ accountId: A, functionName: 'f', codeSha256: 'sha-2' })).toBe(true);
    expect(await functions.deleteVersion({ accountId: A, functionName: 'f', version: '1' })).toBe(true);
    expect(await functions.referencesCode({ accountId: A, functionName: 'f', codeSha256: 'sha-1' })).toBe(false);
    expect(await functions.deleteFunction({ accountId: A, functionName: 'f' })).toBe(true);
    expect(await functions.referencesCode({ accountId: A, functionName: 'f', codeSha256: 'sha-2' })).toBe(false);
  });

  describe('collectGarbage', () => {
    const zip = (text: string) => new Uint8Array(Buffer.from(text));
    async function putCode(code: Stores['code'], sha: string) {
      await code.putZip(sha, zip(sha));
      await code.putBundle(`bundle-of-${sha}`, `bundle ${sha}`);
    }
    async function present(code: Stores['code'], sha: string) {
      return { zip: (await code.getZip(sha)) !== undefined, bundle: (await code.getBundle(`bundle-of-${sha}`)) !== undefined };
    }
    const both = { zip: true, bundle: true };
    const none = { zip: false, bundle: false };

    it('deletes code no version of any account references, and keeps the rest', async () => {
      const { code, functions } = await setup();
      for (const sha of ['sha-a', 'sha-b', 'sha-orphan']) await putCode(code, sha);
      await functions.createFunction(latest(A, 'f', 'sha-a'));
      await functions.createFunction(latest(B, 'g', 'sha-b'));
      expect(await code.collectGarbage(2_000)).toEqual({ zips: 1, bundles: 1 });
      expect(await present(code, 'sha-orphan')).toEqual(none);
      expect(await present(code, 'sha-a')).toEqual(both);
      expect(Buffer.from((await code.getZip('sha-b'))!).toString()).toBe('sha-b');

      await functions.deleteFunction({ accountId: A, functionName: 'f' });
      expect(await code.collectGarbage(2_000)).toEqual({ zips: 1, bundles: 1 });
      expect(await present(code, 'sha-a')).toEqual(none);
      expect(await present(code, 'sha-b')).toEqual(both);
    });

    it('keeps code while any version still has it, whichever account and function', async () => {
      const { code, functions } = await setup();
      await putCode(code, 'sha-1');
      await putCode(code, 'sha-2');
      await functions.createFunction(latest(A, 'f', 'sha-1'));
      await functions.createFunction(latest(B, 'other', 'sha-1'));
      await functions.publishVersion({ accountId: A, functionName: 'f', expectedRevisionId: 'r1', description: '', revisionId: 'r1v', lastModified: 'now' });
      await functions.updateLatest({ next: latest(A, 'f', 'sha-2', 'r2'), expectedRevisionId: 'r1' });
      expect(await code.collectGarbage(2_000)).toEqual({ zips: 0, bundles: 0 });
      await functions.deleteVersion({ accountId: A, functionName: 'f', version: '1' });
      expect(await code.collectGarbage(2_000)).toEqual({ zips: 0, bundles: 0 });
      await functions.deleteFunction({ accountId: B, functionName: 'other' });
      expect(await code.collectGarbage(2_000)).toEqual({ zips: 1, bundles: 1 });
      expect(await present(code, 'sha-1')).toEqual(none);
      expect(await present(code, 'sha-2')).toEqual(both);
    });

    it('keeps code stored at or after the cutoff, for a deploy that has not written its version yet', async () => {
      const { code } = await setup();
      await putCode(code, 'sha-new');
      expect(await code.collectGarbage(1_000)).toEqual({ zips: 0, bundles: 0 });
      expect(await present(code, 'sha-new')).toEqual(both);
      expect(await code.collectGarbage(1_001)).toEqual({ zips: 1, bundles: 1 });
    });

    it('starts the grace period again when the same code is stored again', async () => {
      const { code } = await setup();
      await putCode(code, 'sha-again');
      clock.t = 5_000;
      await putCode(code, 'sha-again');
      expect(await code.collectGarbage(2_000)).toEqual({ zips: 0, bundles: 0 });
      expect(await code.collectGarbage(5_001)).toEqual({ zips: 1, bundles: 1 });
      expect(await present(code, 'sha-again')).toEqual(none);
    });
  });
});
