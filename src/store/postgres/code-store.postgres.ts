/**
 * @module CodeStore on PostgreSQL: content-addressed zips (bytea, stored out of line) and bundles,
 * collected when no function version references them.
 *
 * Collection and puts are ordered by an advisory lock: a put holds it shared, a collection exclusive,
 * so collection never runs between a put finding its code already stored and stamping it (on SQLite
 * one writer at a time gives the same order). Collection is one transaction: its three deletes see
 * every put committed before it took the lock, and none that started after.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Clock } from '../../shared/clock.ts';
import type { CodeStore } from '../ports.ts';
import type { Database } from './schema.postgres.ts';

type Kind = 'zip' | 'bundle';

const lockKey = sql`hashtextextended('stratus code ' || coalesce(current_schema(), ''), 0)`;

export function createPostgresCodeStore(db: Kysely<Database>, clock: Clock): CodeStore {
  /** Stores the code unless it is there already (a 70 MB zip is sent only once), and stamps the put either way. */
  async function put(kind: Kind, sha: string, store: (trx: Transaction<Database>) => Promise<unknown>, exists: (trx: Transaction<Database>) => Promise<boolean>) {
    await db.transaction().execute(async (trx) => {
      await sql`SELECT pg_advisory_xact_lock_shared(${lockKey})`.execute(trx);
      if (!(await exists(trx))) await store(trx);
      // Storing code that is already there stamps it again: a deploy re-using code that waits for
      // collection gets a fresh grace period until its version record is written.
      await trx
        .insertInto('code_recent_puts')
        .values({ kind, sha, stored_at: clock.now() })
        .onConflict((oc) => oc.columns(['kind', 'sha']).doUpdateSet({ stored_at: sql`greatest(code_recent_puts.stored_at, excluded.stored_at)` }))
        .execute();
    });
  }

  return {
    async putZip(sha, zip) {
      const bytes = Buffer.from(zip.buffer, zip.byteOffset, zip.byteLength);
      await put(
        'zip',
        sha,
        (trx) =>
          trx
            .insertInto('code_zips')
            .values({ code_sha256: sha, zip: bytes })
            .onConflict((oc) => oc.doNothing())
            .execute(),
        async (trx) => (await trx.selectFrom('code_zips').select('code_sha256').where('code_sha256', '=', sha).executeTakeFirst()) !== undefined,
      );
    },
    async getZip(sha) {
      const zip = (await db.selectFrom('code_zips').select('zip').where('code_sha256', '=', sha).executeTakeFirst())?.zip;
      return zip && new Uint8Array(zip.buffer, zip.byteOffset, zip.byteLength);
    },
    async putBundle(sha, bundle) {
      await put(
        'bundle',
        sha,
        (trx) =>
          trx
            .insertInto('code_bundles')
            .values({ bundle_sha256: sha, bundle })
            .onConflict((oc) => oc.doNothing())
            .execute(),
        async (trx) => (await trx.selectFrom('code_bundles').select('bundle_sha256').where('bundle_sha256', '=', sha).executeTakeFirst()) !== undefined,
      );
    },
    async getBundle(sha) {
      return (await db.selectFrom('code_bundles').select('bundle').where('bundle_sha256', '=', sha).executeTakeFirst())?.bundle;
    },
    async collectGarbage(storedBefore) {
      return db.transaction().execute(async (trx) => {
        await sql`SELECT pg_advisory_xact_lock(${lockKey})`.execute(trx);
        const zips = await trx
          .deleteFrom('code_zips')
          .where(({ not, exists, selectFrom }) => not(exists(selectFrom('function_versions as v').select('v.version').whereRef('v.code_sha256', '=', 'code_zips.code_sha256'))))
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('code_recent_puts as p')
                  .select('p.sha')
                  .where('p.kind', '=', 'zip')
                  .whereRef('p.sha', '=', 'code_zips.code_sha256')
                  .where('p.stored_at', '>=', storedBefore),
              ),
            ),
          )
          .executeTakeFirst();
        const bundles = await trx
          .deleteFrom('code_bundles')
          .where(({ not, exists, selectFrom }) =>
            not(exists(selectFrom('function_versions as v').select('v.version').whereRef('v.bundle_sha256', '=', 'code_bundles.bundle_sha256'))),
          )
          .where(({ not, exists, selectFrom }) =>
            not(
              exists(
                selectFrom('code_recent_puts as p')
                  .select('p.sha')
                  .where('p.kind', '=', 'bundle')
                  .whereRef('p.sha', '=', 'code_bundles.bundle_sha256')
                  .where('p.stored_at', '>=', storedBefore),
              ),
            ),
          )
          .executeTakeFirst();
        await trx.deleteFrom('code_recent_puts').where('stored_at', '<', storedBefore).execute();
        return { zips: Number(zips.numDeletedRows), bundles: Number(bundles.numDeletedRows) };
      });
    },
  };
}
