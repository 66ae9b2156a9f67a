/** @module AccountStore on PostgreSQL: accounts and their access keys. */
import type { Kysely, Selectable } from 'kysely';
import type { AccessKeyRecord, AccountRecord, AccountStore } from '../ports.ts';
import type { Database } from './schema.postgres.ts';

const toAccount = (r: Selectable<Database['accounts']>): AccountRecord => ({ id: r.id, name: r.name, isAdmin: r.is_admin, createdAt: r.created_at });
const toKey = (r: Pick<Selectable<Database['access_keys']>, 'access_key_id' | 'secret_access_key' | 'account_id' | 'created_at'>): AccessKeyRecord => ({
  accessKeyId: r.access_key_id,
  secretAccessKey: r.secret_access_key,
  accountId: r.account_id,
  createdAt: r.created_at,
});
const keyRow = (k: AccessKeyRecord) => ({ access_key_id: k.accessKeyId, secret_access_key: k.secretAccessKey, account_id: k.accountId, created_at: k.createdAt });
const KEY_COLUMNS = ['access_key_id', 'secret_access_key', 'account_id', 'created_at'] as const;

export function createPostgresAccountStore(db: Kysely<Database>): AccountStore {
  return {
    async createAccount(a, k) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('accounts').values({ id: a.id, name: a.name, is_admin: a.isAdmin, created_at: a.createdAt }).execute();
        await trx.insertInto('access_keys').values(keyRow(k)).execute();
      });
    },
    async getAccount(id) {
      const row = await db.selectFrom('accounts').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toAccount(row);
    },
    async getAccountByName(name) {
      const row = await db.selectFrom('accounts').selectAll().where('name', '=', name).executeTakeFirst();
      return row && toAccount(row);
    },
    async listAccounts() {
      return (await db.selectFrom('accounts').selectAll().orderBy('created_at').orderBy('id').execute()).map(toAccount);
    },
    async getAccessKey(accessKeyId) {
      const row = await db.selectFrom('access_keys').select(KEY_COLUMNS).where('access_key_id', '=', accessKeyId).executeTakeFirst();
      return row && toKey(row);
    },
    async addAccessKey(k) {
      await db.insertInto('access_keys').values(keyRow(k)).execute();
    },
    async listAccessKeys(accountId) {
      const rows = await db.selectFrom('access_keys').select(KEY_COLUMNS).where('account_id', '=', accountId).orderBy('created_at').orderBy('seq').execute();
      return rows.map(toKey);
    },
  };
}
