/** @module Accounts and access keys: the root account at first start, further accounts made by an admin. */
import { randomBytes, randomInt } from 'node:crypto';
import type { AccountRecord, AccountStore } from '../store/index.ts';
import type { Clock } from '../shared/clock.ts';
import { stratusError } from '../shared/errors.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface NewAccount extends Credentials {
  account: AccountRecord;
}

const ACCOUNT_NAME = /^[a-zA-Z0-9][a-zA-Z0-9-_.]{0,63}$/;
const KEY_ID = /^[A-Z0-9]{16,128}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** AWS-style key id: a prefix and 16 characters of base32. */
function newAccessKeyId(): string {
  const bytes = randomBytes(16);
  let id = 'SKIA';
  for (const b of bytes) id += ALPHABET[b % 32];
  return id;
}

function newSecret(): string {
  return randomBytes(30).toString('base64').replace(/[+/=]/g, 'x');
}

function newAccountId(): string {
  let id = String(randomInt(1, 10));
  for (let i = 0; i < 11; i++) id += String(randomInt(0, 10));
  return id;
}

export interface AccountService {
  /** Creates the admin account unless it exists; returns its credentials only when created now. */
  ensureRoot(keys?: Partial<Credentials>): Promise<NewAccount | { account: AccountRecord; created: false }>;
  create(caller: AccountRecord, name: string): Promise<NewAccount>;
  list(caller: AccountRecord): Promise<AccountRecord[]>;
  /** The admin's key to publish in the credentials file: the configured one (added if new), else the first. */
  rootCredentials(rootAccountId: string, preferredKeyId?: string): Promise<Credentials>;
  /** The account and secret behind an access key id, for signature checks. */
  lookupKey(accessKeyId: string): Promise<{ account: AccountRecord; secretAccessKey: string } | undefined>;
}

const MAX_CACHED_KEYS = 10_000;

export function createAccountService(deps: { store: AccountStore; clock: Clock }): AccountService {
  const { store, clock } = deps;
  // Every request looks its key up. Keys and accounts are only ever added (no rotation or deletion
  // yet), so a found key can be kept; revocation must clear this cache when it comes.
  const keyCache = new Map<string, { account: AccountRecord; secretAccessKey: string }>();

  async function insert(name: string, isAdmin: boolean, keys?: Partial<Credentials>): Promise<NewAccount> {
    const now = new Date(clock.now()).toISOString();
    let id = newAccountId();
    while (await store.getAccount(id)) id = newAccountId();
    const account: AccountRecord = { id, name, isAdmin, createdAt: now };
    const accessKeyId = keys?.accessKeyId ?? newAccessKeyId();
    const secretAccessKey = keys?.secretAccessKey ?? newSecret();
    await store.createAccount(account, { accessKeyId, secretAccessKey, accountId: id, createdAt: now });
    return { account, accessKeyId, secretAccessKey };
  }

  return {
    async ensureRoot(keys) {
      const existing = await store.getAccountByName('admin');
      if (keys?.accessKeyId !== undefined && !KEY_ID.test(keys.accessKeyId)) {
        throw stratusError('REQUEST_INVALID_PARAMETER.rootKeyId');
      }
      if (keys?.secretAccessKey !== undefined && keys.secretAccessKey.length < 16) {
        throw stratusError('REQUEST_INVALID_PARAMETER.rootSecret');
      }
      if (existing) {
        // A key set in the environment after the first start is added to the admin account, not ignored.
        if (keys?.accessKeyId !== undefined && keys.secretAccessKey !== undefined && !(await store.getAccessKey(keys.accessKeyId))) {
          await store.addAccessKey({
            accessKeyId: keys.accessKeyId,
            secretAccessKey: keys.secretAccessKey,
            accountId: existing.id,
            createdAt: new Date(clock.now()).toISOString(),
          });
        }
        return { account: existing, created: false };
      }
      return insert('admin', true, keys);
    },
    async create(caller, name) {
      if (!caller.isAdmin) throw stratusError('AUTH_FORBIDDEN.createAccount');
      if (!ACCOUNT_NAME.test(name)) throw stratusError('REQUEST_INVALID_PARAMETER.accountName');
      if (await store.getAccountByName(name)) throw stratusError('ACCOUNT_EXISTS', { name });
      return insert(name, false);
    },
    async list(caller) {
      if (!caller.isAdmin) throw stratusError('AUTH_FORBIDDEN.listAccounts');
      return store.listAccounts();
    },
    async rootCredentials(rootAccountId, preferredKeyId) {
      const keys = await store.listAccessKeys(rootAccountId);
      const key = keys.find((k) => k.accessKeyId === preferredKeyId) ?? keys[0];
      if (!key) throw stratusError('INTERNAL.adminWithoutKey');
      return { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey };
    },
    async lookupKey(accessKeyId) {
      const hit = keyCache.get(accessKeyId);
      if (hit) return hit;
      const key = await store.getAccessKey(accessKeyId);
      if (!key) return undefined;
      const account = await store.getAccount(key.accountId);
      if (!account) return undefined;
      const found = { account, secretAccessKey: key.secretAccessKey };
      if (keyCache.size >= MAX_CACHED_KEYS) keyCache.delete(keyCache.keys().next().value!);
      keyCache.set(accessKeyId, found);
      return found;
    },
  };
}
