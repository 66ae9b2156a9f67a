// AccountStore contract, run against every adapter set: accounts by id and name, access keys in the
// order they were added, and an account created together with its first key or not at all.
import { afterEach, expect, it } from 'vitest';
import { describeEachAdapter } from './contract.test-support.ts';
import type { AccessKeyRecord, AccountRecord, Stores } from './ports.ts';

const account = (id: string, name: string, createdAt = '2026-01-01T00:00:00.000Z', isAdmin = false): AccountRecord => ({ id, name, isAdmin, createdAt });
const key = (accessKeyId: string, accountId: string, createdAt = '2026-01-01T00:00:00.000Z'): AccessKeyRecord => ({
  accessKeyId,
  secretAccessKey: `secret/${accessKeyId}+=`,
  accountId,
  createdAt,
});

describeEachAdapter('account store', (open) => {
  let stores: Stores | undefined;
  afterEach(async () => {
    await stores?.close();
    stores = undefined;
  });
  const setup = async () => (stores = await open()).accounts;

  it('finds an account by id and by name, with its admin flag', async () => {
    const accounts = await setup();
    await accounts.createAccount(account('111122223333', 'admin', undefined, true), key('AKIAADMIN', '111122223333'));
    await accounts.createAccount(account('444455556666', 'tenant-co'), key('AKIATENANT', '444455556666'));
    expect(await accounts.getAccount('111122223333')).toEqual(account('111122223333', 'admin', undefined, true));
    expect(await accounts.getAccountByName('tenant-co')).toEqual(account('444455556666', 'tenant-co'));
    expect(await accounts.getAccount('999999999999')).toBeUndefined();
    expect(await accounts.getAccountByName('nobody')).toBeUndefined();
  });

  it('lists accounts oldest first', async () => {
    const accounts = await setup();
    await accounts.createAccount(account('222222222222', 'b', '2026-01-02T00:00:00.000Z'), key('K2', '222222222222'));
    await accounts.createAccount(account('333333333333', 'c', '2026-01-01T00:00:00.000Z'), key('K3', '333333333333'));
    await accounts.createAccount(account('111111111111', 'a', '2026-01-02T00:00:00.000Z'), key('K1', '111111111111'));
    expect((await accounts.listAccounts()).map((a) => a.name)).toEqual(['c', 'a', 'b']);
  });

  it('refuses a second account of the same name, and keeps the first', async () => {
    const accounts = await setup();
    await accounts.createAccount(account('111122223333', 'same'), key('K1', '111122223333'));
    await expect(accounts.createAccount(account('444455556666', 'same'), key('K2', '444455556666'))).rejects.toThrow();
    expect((await accounts.listAccounts()).map((a) => a.id)).toEqual(['111122223333']);
    // The failed account's key was not stored either: account and first key are one write.
    expect(await accounts.getAccessKey('K2')).toBeUndefined();
  });

  it("keeps the secret of each key exactly, and lists an account's keys in the order they were added", async () => {
    const accounts = await setup();
    await accounts.createAccount(account('111122223333', 'a'), key('K-first', '111122223333'));
    await accounts.addAccessKey(key('K-second', '111122223333'));
    await accounts.addAccessKey(key('A-third', '111122223333'));
    await accounts.createAccount(account('444455556666', 'b'), key('K-other', '444455556666'));
    expect(await accounts.getAccessKey('K-second')).toEqual(key('K-second', '111122223333'));
    expect(await accounts.getAccessKey('K-none')).toBeUndefined();
    expect((await accounts.listAccessKeys('111122223333')).map((k) => k.accessKeyId)).toEqual(['K-first', 'K-second', 'A-third']);
    expect(await accounts.listAccessKeys('999999999999')).toEqual([]);
  });

  it('refuses a key id that is taken', async () => {
    const accounts = await setup();
    await accounts.createAccount(account('111122223333', 'a'), key('K1', '111122223333'));
    await expect(accounts.addAccessKey(key('K1', '111122223333'))).rejects.toThrow();
    expect(await accounts.listAccessKeys('111122223333')).toHaveLength(1);
  });
});
