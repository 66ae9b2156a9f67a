// CodeStore contract, run against every adapter set: content-addressed zips and bundles, large zips
// byte for byte, what the function store knows about code references (download links check it), and
// collection of code no version references.
import { afterEach, describe, expect, it } from 'vitest';
import { describeEachAdapter } from './contract.test-support.ts';
import type { FunctionVersionRecord, Stores } from './ports.ts';
import { versionRecord } from './records.test-support.ts';

const A = '111122223333';
const B = '444455556666';

function latest(accountId: string, name: string, codeSha256: string, revisionId = 'r1'): FunctionVersionRecord {
  return versionRecord({ accountId, functionName: name, codeSha256, bundleSha256: `bundle-of-${codeSha256}`, revisionId });
}

describeEachAdapter('code store', (open) => {
  let stores: Stores | undefined;
  const clock = { t: 1_000, now: () => clock.t };
  async function setup(): Promise<Stores> {
    clock.t = 1_000;
    stores = await open(clock);
    for (const id of [A, B]) {
      await stores.accounts.createAccount(
        { id, name: `n${id}`, isAdmin: false, createdAt: 'now' },
        { accessKeyId: `K${id}`, secretAccessKey: 's', accountId: id, createdAt: 'now' },
      );
    }
    return stores;
  }
  afterEach(async () => {
    await stores?.close();
    stores = undefined;
  });

  it('keeps zips and bundles by their hash, byte for byte, and stores identical code once', async () => {
    const { code } = await setup();
    // Every byte value, and a bundle with text that JSON and SQL both escape.
    const zip = new Uint8Array(Array.from({ length: 512 }, (_, i) => i % 256));
    await code.putZip('sha-z', zip);
    await code.putZip('sha-z', new Uint8Array([9]));
    expect(await code.getZip('sha-z')).toEqual(zip);
    const bundle = "module.exports = { q: '\\'', s: \"\\u0000 ✓ 😀\", n: '\\n' };";
    await code.putBundle('b-1', bundle);
    expect(await code.getBundle('b-1')).toBe(bundle);
    expect(await code.getZip('nope')).toBeUndefined();
    expect(await code.getBundle('nope')).toBeUndefined();
  });

  it('keeps a 70 MB zip whole', async () => {
    const { code } = await setup();
    const zip = new Uint8Array(70 * 1048576);
    for (let i = 0; i < zip.length; i += 4093) zip[i] = (i / 4093) % 251;
    await code.putZip('sha-big', zip);
    const back = await code.getZip('sha-big');
    expect(back?.byteLength).toBe(zip.byteLength);
    expect(Buffer.compare(Buffer.from(back!), Buffer.from(zip))).toBe(0);
  }, 60_000);

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
