/** @module AccountStore on SQLite: accounts and their access keys. */
import type { AccessKeyRecord, AccountRecord, AccountStore } from '../ports.ts';
import type { SqliteDb } from './database.sqlite.ts';

interface AccountRow {
  id: string;
  name: string;
  is_admin: number;
  created_at: string;
}
interface KeyRow {
  access_key_id: string;
  secret_access_key: string;
  account_id: string;
  created_at: string;
}

const toAccount = (r: AccountRow): AccountRecord => ({ id: r.id, name: r.name, isAdmin: r.is_admin === 1, createdAt: r.created_at });

export function createSqliteAccountStore(db: SqliteDb): AccountStore {
  const insertAccount = db.prepare('INSERT INTO accounts (id, name, is_admin, created_at) VALUES (?, ?, ?, ?)');
  const insertKey = db.prepare('INSERT INTO access_keys (access_key_id, secret_access_key, account_id, created_at) VALUES (?, ?, ?, ?)');
  const byId = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE id = ?');
  const byName = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE name = ?');
  const all = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY created_at, id');
  const key = db.prepare<[string], KeyRow>('SELECT * FROM access_keys WHERE access_key_id = ?');
  const keysOf = db.prepare<[string], KeyRow>('SELECT * FROM access_keys WHERE account_id = ? ORDER BY created_at, rowid');
  const toKey = (row: KeyRow): AccessKeyRecord => ({
    accessKeyId: row.access_key_id,
    secretAccessKey: row.secret_access_key,
    accountId: row.account_id,
    createdAt: row.created_at,
  });
  const create = db.transaction((a: AccountRecord, k: AccessKeyRecord) => {
    insertAccount.run(a.id, a.name, a.isAdmin ? 1 : 0, a.createdAt);
    insertKey.run(k.accessKeyId, k.secretAccessKey, k.accountId, k.createdAt);
  });

  return {
    async createAccount(account, accessKey) {
      create(account, accessKey);
    },
    async getAccount(id) {
      const row = byId.get(id);
      return row && toAccount(row);
    },
    async getAccountByName(name) {
      const row = byName.get(name);
      return row && toAccount(row);
    },
    async listAccounts() {
      return all.all().map(toAccount);
    },
    async getAccessKey(accessKeyId) {
      const row = key.get(accessKeyId);
      return row && toKey(row);
    },
    async addAccessKey(k) {
      insertKey.run(k.accessKeyId, k.secretAccessKey, k.accountId, k.createdAt);
    },
    async listAccessKeys(accountId) {
      return keysOf.all(accountId).map(toKey);
    },
  };
}
