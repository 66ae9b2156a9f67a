// FunctionStore contract, run against every adapter set: versions ($LATEST and published copies),
// aliases and tenancy limits, each write conditional on the revision it names (invariant 6), and
// listings that page in the same order on every adapter.
import { afterEach, describe, expect, it } from 'vitest';
import { describeEachAdapter } from './contract.test-support.ts';
import type { AliasRecord, FunctionStore, FunctionVersionRecord, Stores } from './ports.ts';

const A = '111122223333';
const F = { accountId: A, functionName: 'f' };
const LATEST = { ...F, version: '$LATEST' };

function latest(name: string, revisionId = 'r1', extra: Partial<FunctionVersionRecord> = {}): FunctionVersionRecord {
  return {
    accountId: A,
    functionName: name,
    version: '$LATEST',
    runtime: 'stratus-isolate',
    handler: 'index.handler',
    role: '',
    description: 'd',
    memoryMb: 128,
    timeoutSec: 3,
    environment: {},
    codeSha256: 'c1',
    codeSize: 1,
    bundleSha256: 'b1',
    handlerExport: 'handler',
    revisionId,
    lastModified: 'then',
    ...extra,
  };
}
const alias = (name: string, functionVersion: string, revisionId = 'a1', weights: Record<string, number> = {}): AliasRecord => ({
  ...F,
  name,
  functionVersion,
  description: '',
  additionalVersionWeights: weights,
  revisionId,
});
const publish = (functions: FunctionStore, expectedRevisionId: string, revisionId: string, description = '') =>
  functions.publishVersion({ ...F, expectedRevisionId, description, revisionId, lastModified: `at-${revisionId}` });

describeEachAdapter('function store', (open) => {
  let stores: Stores | undefined;
  afterEach(async () => {
    await stores?.close();
    stores = undefined;
  });
  async function setup(): Promise<FunctionStore> {
    stores = await open();
    await stores.accounts.createAccount({ id: A, name: 'a', isAdmin: false, createdAt: 'now' }, { accessKeyId: 'K', secretAccessKey: 's', accountId: A, createdAt: 'now' });
    return stores.functions;
  }

  describe('versions', () => {
    it('creates a function once, and reads back exactly the record written', async () => {
      const functions = await setup();
      const odd = latest('f', 'r1', { environment: { QUOTE: `it's "x"`, NUL: 'a\u0000b', EMOJI: '😀', BACKSLASH: '\\n' }, tenantIsolationMode: 'PER_TENANT' });
      expect(await functions.createFunction(odd)).toBe(true);
      expect(await functions.createFunction(latest('f', 'r9'))).toBe(false);
      expect(await functions.getVersion(LATEST)).toEqual(odd);
      expect(await functions.getVersion({ ...F, version: '1' })).toBeUndefined();
      expect(await functions.getVersion({ ...LATEST, accountId: '444455556666' })).toBeUndefined();
    });

    it('replaces $LATEST only at the expected revision', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f', 'r1'));
      expect(await functions.updateLatest({ next: latest('f', 'r2', { memoryMb: 256 }), expectedRevisionId: 'stale' })).toBe(false);
      expect(await functions.updateLatest({ next: latest('f', 'r2', { memoryMb: 256 }), expectedRevisionId: 'r1' })).toBe(true);
      expect(await functions.updateLatest({ next: latest('f', 'r3'), expectedRevisionId: 'r1' })).toBe(false);
      expect(await functions.getVersion(LATEST)).toMatchObject({ revisionId: 'r2', memoryMb: 256 });
      expect(await functions.updateLatest({ next: latest('missing', 'r2'), expectedRevisionId: 'r1' })).toBe(false);
    });

    it('publishes numbered copies of $LATEST at the expected revision, and refuses a stale one', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f', 'r1'));
      expect(await publish(functions, 'r1', 'v1', 'first')).toMatchObject({ version: '1', description: 'first', revisionId: 'v1', lastModified: 'at-v1' });
      expect(await publish(functions, 'r1', 'v2')).toMatchObject({ version: '2', description: 'd' });
      expect(await publish(functions, 'stale', 'v3')).toBeUndefined();
      expect(await functions.latestPublished(F)).toMatchObject({ version: '2' });
      expect(await functions.getVersion({ ...F, version: '1' })).toMatchObject({ version: '1', codeSha256: 'c1' });
      // Numbers are never reused, even after the newest version is deleted.
      expect(await functions.deleteVersion({ ...F, version: '2' })).toBe(true);
      expect(await functions.deleteVersion({ ...F, version: '2' })).toBe(false);
      expect(await publish(functions, 'r1', 'v3')).toMatchObject({ version: '3' });
      expect(await functions.latestPublished({ ...F, functionName: 'none' })).toBeUndefined();
    });

    it('serializes concurrent publishes into distinct numbers', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f', 'r1'));
      const out = await Promise.all(['v1', 'v2', 'v3', 'v4'].map((r) => publish(functions, 'r1', r)));
      expect(out.map((v) => v?.version).sort()).toEqual(['1', '2', '3', '4']);
    });

    it('lists $LATEST of every function by name in byte order, a page at a time', async () => {
      const functions = await setup();
      for (const name of ['b', 'a', 'B', 'a-1', 'a_1', 'c']) await functions.createFunction(latest(name));
      const names: string[][] = [];
      let marker: string | undefined;
      do {
        const page = await functions.listLatest({ accountId: A, marker, limit: 4 });
        names.push(page.items.map((r) => r.functionName));
        marker = page.nextMarker;
      } while (marker !== undefined);
      expect(names).toEqual([
        ['B', 'a', 'a-1', 'a_1'],
        ['b', 'c'],
      ]);
      expect((await functions.listLatest({ accountId: '444455556666', limit: 10 })).items).toEqual([]);
    });

    it('lists $LATEST first and then versions in number order, a page at a time', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f', 'r1'));
      for (let i = 1; i <= 11; i++) await publish(functions, 'r1', `v${i}`);
      const first = await functions.listVersions({ ...F, limit: 10 });
      expect(first.items.map((v) => v.version)).toEqual(['$LATEST', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
      const second = await functions.listVersions({ ...F, marker: first.nextMarker, limit: 10 });
      expect(second).toEqual({ items: [expect.objectContaining({ version: '10' }), expect.objectContaining({ version: '11' })] });
    });

    it('deletes a whole function with its versions, aliases and limits, and lets the name be used again', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f', 'r1'));
      await publish(functions, 'r1', 'v1');
      await functions.createAlias(alias('live', '1'));
      await functions.putTenancyLimits({ next: { ...F, limits: { maxConcurrency: 1 }, revisionId: 'l1' }, expectedRevisionId: undefined });
      expect(await functions.deleteFunction(F)).toBe(true);
      expect(await functions.deleteFunction(F)).toBe(false);
      expect(await functions.getVersion({ ...F, version: '1' })).toBeUndefined();
      expect(await functions.getAlias({ ...F, name: 'live' })).toBeUndefined();
      expect(await functions.getTenancyLimits(F)).toBeUndefined();
      expect(await functions.createFunction(latest('f', 'r5'))).toBe(true);
      expect(await publish(functions, 'r5', 'v1')).toMatchObject({ version: '1' });
    });
  });

  describe('tags and the egress policy field', () => {
    it('keep the tags on $LATEST, written only at its revision, never copied into a published version', async () => {
      const functions = await setup();
      const tags = { team: 'payments', 'stratus:egress': 'api.example.com,*.stripe.com', 'odd key/=+-@.': 'ünïcode value' };
      const egressPolicy = { allowedHosts: ['api.example.com', 'http://10.0.0.5:8080'] };
      await functions.createFunction(latest('f', 'r1', { tags, egressPolicy }));
      expect(await functions.getVersion(LATEST)).toMatchObject({ tags, egressPolicy });
      expect(await functions.updateLatest({ next: latest('f', 'r2', { tags: { team: 'core' }, egressPolicy }), expectedRevisionId: 'stale' })).toBe(false);
      expect(await functions.updateLatest({ next: latest('f', 'r2', { tags: { team: 'core' }, egressPolicy }), expectedRevisionId: 'r1' })).toBe(true);
      const published = await publish(functions, 'r2', 'v1');
      expect(published).toMatchObject({ version: '1', egressPolicy });
      expect(published).not.toHaveProperty('tags');
      expect(await functions.getVersion({ ...F, version: '1' })).not.toHaveProperty('tags');
      expect((await functions.getVersion(LATEST))?.tags).toEqual({ team: 'core' });
      expect((await functions.listVersions({ ...F, limit: 10 })).items.map((v) => v.tags)).toEqual([{ team: 'core' }, undefined]);
    });

    it('go with the function when it is deleted', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f', 'r1', { tags: { team: 'payments' } }));
      expect(await functions.deleteFunction(F)).toBe(true);
      await functions.createFunction(latest('f', 'r2'));
      expect(await functions.getVersion(LATEST)).not.toHaveProperty('tags');
    });

    it('let exactly one of two tag writes that read the same revision win', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f', 'r1'));
      const writes = await Promise.all(['a', 'b'].map((t) => functions.updateLatest({ next: latest('f', `r-${t}`, { tags: { [t]: t } }), expectedRevisionId: 'r1' })));
      expect(writes.filter(Boolean)).toHaveLength(1);
    });
  });

  describe('aliases', () => {
    it('creates an alias once and replaces it only at the expected revision', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f'));
      expect(await functions.createAlias(alias('live', '$LATEST'))).toBe(true);
      expect(await functions.createAlias(alias('live', '1', 'a9'))).toBe(false);
      expect(await functions.getAlias({ ...F, name: 'live' })).toEqual(alias('live', '$LATEST'));
      expect(await functions.updateAlias({ next: alias('live', '2', 'a2'), expectedRevisionId: 'stale' })).toBe(false);
      expect(await functions.updateAlias({ next: alias('live', '2', 'a2', { '3': 0.25 }), expectedRevisionId: 'a1' })).toBe(true);
      expect(await functions.getAlias({ ...F, name: 'live' })).toEqual(alias('live', '2', 'a2', { '3': 0.25 }));
      expect(await functions.deleteAlias({ ...F, name: 'live' })).toBe(true);
      expect(await functions.deleteAlias({ ...F, name: 'live' })).toBe(false);
    });

    it('lists aliases by name a page at a time', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f'));
      for (const name of ['prod', 'Beta', 'dev']) await functions.createAlias(alias(name, '$LATEST'));
      const first = await functions.listAliases({ ...F, limit: 2 });
      expect(first.items.map((a) => a.name)).toEqual(['Beta', 'dev']);
      expect(await functions.listAliases({ ...F, marker: first.nextMarker, limit: 2 })).toEqual({ items: [alias('prod', '$LATEST')] });
    });

    it('names the aliases that route to a version, as primary or as weighted second', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f'));
      await functions.createAlias(alias('primary', '1'));
      await functions.createAlias(alias('canary', '2', 'a1', { '1': 0.1 }));
      await functions.createAlias(alias('other', '2', 'a1', { '11': 0.5 }));
      expect((await functions.aliasesUsingVersion({ ...F, version: '1' })).sort()).toEqual(['canary', 'primary']);
      expect((await functions.aliasesUsingVersion({ ...F, version: '2' })).sort()).toEqual(['canary', 'other']);
      expect(await functions.aliasesUsingVersion({ ...F, version: '3' })).toEqual([]);
    });
  });

  describe('tenancy limits', () => {
    const limits = (maxConcurrency: number | undefined, revisionId: string) => ({ ...F, limits: maxConcurrency === undefined ? {} : { maxConcurrency }, revisionId });

    it('are absent until set, then written only at the revision the writer read', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f'));
      expect(await functions.getTenancyLimits(F)).toBeUndefined();
      expect(await functions.putTenancyLimits({ next: limits(2, 'l1'), expectedRevisionId: 'l0' })).toBe(false);
      expect(await functions.putTenancyLimits({ next: limits(2, 'l1'), expectedRevisionId: undefined })).toBe(true);
      expect(await functions.putTenancyLimits({ next: limits(3, 'l2'), expectedRevisionId: undefined })).toBe(false);
      expect(await functions.putTenancyLimits({ next: limits(3, 'l2'), expectedRevisionId: 'stale' })).toBe(false);
      expect(await functions.getTenancyLimits(F)).toEqual(limits(2, 'l1'));
      expect(await functions.putTenancyLimits({ next: { ...F, limits: { maxConcurrency: 4, maxRequestsPerSecond: 0.5 }, revisionId: 'l2' }, expectedRevisionId: 'l1' })).toBe(true);
      expect(await functions.getTenancyLimits(F)).toEqual({ ...F, limits: { maxConcurrency: 4, maxRequestsPerSecond: 0.5 }, revisionId: 'l2' });
      // Cleared limits keep a revision, so the next write is conditional too.
      expect(await functions.putTenancyLimits({ next: limits(undefined, 'l3'), expectedRevisionId: 'l2' })).toBe(true);
      expect(await functions.getTenancyLimits(F)).toEqual(limits(undefined, 'l3'));
    });

    it('let exactly one of two writers that read the same revision win', async () => {
      const functions = await setup();
      await functions.createFunction(latest('f'));
      const first = await Promise.all([5, 6].map((n) => functions.putTenancyLimits({ next: limits(n, `new-${n}`), expectedRevisionId: undefined })));
      expect(first.filter(Boolean)).toHaveLength(1);
      const winner = (await functions.getTenancyLimits(F))!.revisionId;
      const second = await Promise.all([7, 8].map((n) => functions.putTenancyLimits({ next: limits(n, `next-${n}`), expectedRevisionId: winner })));
      expect(second.filter(Boolean)).toHaveLength(1);
    });
  });
});
