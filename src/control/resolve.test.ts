// How a request's FunctionName and Qualifier become one function and one concrete version: the
// name forms, the qualifier rules, alias weights, and "not found" for everything else.
import { afterEach, describe, expect, it } from 'vitest';
import { isStratusError } from '../shared/errors.ts';
import { openSqliteStores, type FunctionVersionRecord, type Stores } from '../store/index.ts';
import { versionRecord } from '../store/records.test-support.ts';
import { qualifiedFunction } from './arn.ts';
import { createResolver } from './resolve.ts';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';

function version(v: string, revisionId = `r-${v}`): FunctionVersionRecord {
  return versionRecord({ accountId: ACCOUNT, functionName: 'orders', version: v, revisionId });
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isStratusError(err)) return err.code;
    throw err;
  }
  throw new Error('expected a StratusError');
}

describe('qualifiedFunction', () => {
  it('reads every accepted name form into the caller’s function and one qualifier', () => {
    for (const name of ['orders', `${ACCOUNT}:function:orders`, `arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders`]) {
      const ref = qualifiedFunction(ACCOUNT, name, undefined, REGION);
      expect(ref.fn).toEqual({ accountId: ACCOUNT, name: 'orders', key: JSON.stringify([ACCOUNT, 'orders']) });
      expect(ref.qualifier).toBeUndefined();
    }
    expect(qualifiedFunction(ACCOUNT, 'orders:live', undefined, REGION).qualifier).toBe('live');
    expect(qualifiedFunction(ACCOUNT, 'orders', '3', REGION).qualifier).toBe('3');
    expect(qualifiedFunction(ACCOUNT, 'orders:3', '3', REGION).qualifier).toBe('3');
  });

  it('refuses a qualifier in the name that disagrees with the parameter, and treats another account’s ARN as not found', () => {
    expect(codeOf(() => qualifiedFunction(ACCOUNT, 'orders:3', '4', REGION))).toBe('REQUEST_INVALID_PARAMETER');
    expect(codeOf(() => qualifiedFunction(ACCOUNT, `arn:aws:lambda:${REGION}:999999999999:function:orders`, undefined, REGION))).toBe('FUNCTION_NOT_FOUND');
    expect(codeOf(() => qualifiedFunction(ACCOUNT, 'orders:a:b', undefined, REGION))).toBe('REQUEST_INVALID_PARAMETER');
  });
});

describe('resolver', () => {
  let stores: Stores;
  afterEach(async () => stores?.close());

  async function setup(random: () => number) {
    stores = openSqliteStores(':memory:');
    await stores.accounts.createAccount(
      { id: ACCOUNT, name: 'a', isAdmin: false, createdAt: 'now' },
      { accessKeyId: 'K', secretAccessKey: 's', accountId: ACCOUNT, createdAt: 'now' },
    );
    await stores.functions.createFunction(version('$LATEST'));
    const published = [
      await stores.functions.publishVersion({
        accountId: ACCOUNT,
        functionName: 'orders',
        expectedRevisionId: 'r-$LATEST',
        description: '',
        revisionId: 'r-1',
        lastModified: 'now',
      }),
    ];
    await stores.functions.createAlias({
      accountId: ACCOUNT,
      functionName: 'orders',
      name: 'live',
      functionVersion: '1',
      description: '',
      additionalVersionWeights: { $LATEST: 0.25 },
      revisionId: 'a1',
    });
    expect(published[0]?.version).toBe('1');
    return createResolver({ functions: stores.functions, region: REGION, random });
  }

  it('runs $LATEST, a version, or what an alias and its weights pick, and names the ARN the caller invoked', async () => {
    let roll = 0.5;
    const resolve = await setup(() => roll);
    const ref = (qualifier?: string) => qualifiedFunction(ACCOUNT, 'orders', qualifier, REGION);
    expect((await resolve(ref())).record.version).toBe('$LATEST');
    expect((await resolve(ref('1'))).record.version).toBe('1');
    const viaAlias = await resolve(ref('live'));
    expect(viaAlias.record.version).toBe('1');
    expect(viaAlias.invokedArn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:orders:live`);
    roll = 0.1;
    expect((await resolve(ref('live'))).record.version).toBe('$LATEST');
  });

  it('says not found for a missing version, alias or function, with the ARN that was asked for', async () => {
    const resolve = await setup(() => 0.9);
    for (const [name, qualifier] of [
      ['orders', '7'],
      ['orders', 'nope'],
      ['missing', undefined],
    ] as const) {
      const err = await resolve(qualifiedFunction(ACCOUNT, name, qualifier, REGION)).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isStratusError(err) && err.code).toBe('FUNCTION_NOT_FOUND');
      expect((err as Error).message).toContain(`function:${name}${qualifier ? `:${qualifier}` : ''}`);
    }
  });

  it('gives the target its egress policy: the version’s EgressPolicy field, else the function’s tag stratus:egress (kept on $LATEST)', async () => {
    const resolve = await setup(() => 0.9);
    const F = { accountId: ACCOUNT, functionName: 'orders' };
    const cur = (await stores.functions.getVersion({ ...F, version: '$LATEST' }))!;
    const ref = (qualifier?: string) => qualifiedFunction(ACCOUNT, 'orders', qualifier, REGION);
    expect((await resolve(ref())).egress).toBeUndefined();
    await stores.functions.updateLatest({ next: { ...cur, tags: { 'stratus:egress': '*.stripe.com' }, revisionId: 'r-tagged' }, expectedRevisionId: cur.revisionId });
    // Version 1 has no field of its own: it follows the tag at once.
    for (const q of [undefined, '1']) expect((await resolve(ref(q))).egress).toMatchObject({ source: 'tag', rules: [{ host: 'stripe.com', wildcard: true }] });
    const tagged = (await stores.functions.getVersion({ ...F, version: '$LATEST' }))!;
    await stores.functions.updateLatest({ next: { ...tagged, egressPolicy: { allowedHosts: ['api.example.com'] }, revisionId: 'r-field' }, expectedRevisionId: 'r-tagged' });
    expect((await resolve(ref())).egress).toMatchObject({ source: 'EgressPolicy', rules: [{ host: 'api.example.com', port: 443 }] });
    expect((await resolve(ref('1'))).egress).toMatchObject({ source: 'tag' });
  });
});
