/** @module FunctionStore on PostgreSQL: functions, their versions, aliases and tenancy limits, with revision-conditional writes. */
import type { Kysely } from 'kysely';
import type { AliasRecord, FunctionKey, FunctionStore, FunctionVersionRecord, TenancyLimits } from '../ports.ts';
import { nameAfter, pageOf, publishedVersion, routesTo, versionAfter, versionNumber } from '../records.ts';
import type { Database } from './schema.postgres.ts';

const LATEST = '$LATEST';

const parse = <T>(row: { record: string } | undefined): T | undefined => row && (JSON.parse(row.record) as T);
const parseAll = <T>(rows: { record: string }[]): T[] => rows.map((r) => JSON.parse(r.record) as T);
const changed = (r: { numUpdatedRows?: bigint; numDeletedRows?: bigint; numInsertedOrUpdatedRows?: bigint }) =>
  (r.numUpdatedRows ?? r.numDeletedRows ?? r.numInsertedOrUpdatedRows ?? 0n) === 1n;

/** The version row for a record: the code hashes are copied into columns that code collection reads. */
function versionRow(rec: FunctionVersionRecord, versionNum: number) {
  return {
    account_id: rec.accountId,
    function_name: rec.functionName,
    version: rec.version,
    version_num: versionNum,
    revision_id: rec.revisionId,
    code_sha256: rec.codeSha256,
    bundle_sha256: rec.bundleSha256,
    record: JSON.stringify(rec),
  };
}

export function createPostgresFunctionStore(db: Kysely<Database>): FunctionStore {
  const versions = (k: FunctionKey) => db.selectFrom('function_versions').select('record').where('account_id', '=', k.accountId).where('function_name', '=', k.functionName);
  const aliases = (k: FunctionKey) => db.selectFrom('aliases').select('record').where('account_id', '=', k.accountId).where('function_name', '=', k.functionName);

  return {
    async createFunction(latest) {
      return db.transaction().execute(async (trx) => {
        const inserted = await trx
          .insertInto('functions')
          .values({ account_id: latest.accountId, name: latest.functionName, created_at: latest.lastModified })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        if (!changed(inserted)) return false;
        await trx.insertInto('function_versions').values(versionRow(latest, 0)).execute();
        return true;
      });
    },
    async getVersion(k) {
      return parse(await versions(k).where('version', '=', k.version).executeTakeFirst());
    },
    async updateLatest({ next, expectedRevisionId }) {
      const row = versionRow(next, 0);
      const result = await db
        .updateTable('function_versions')
        .set({ revision_id: row.revision_id, code_sha256: row.code_sha256, bundle_sha256: row.bundle_sha256, record: row.record })
        .where('account_id', '=', next.accountId)
        .where('function_name', '=', next.functionName)
        .where('version', '=', LATEST)
        .where('revision_id', '=', expectedRevisionId)
        .executeTakeFirst();
      return changed(result);
    },
    async publishVersion(req) {
      return db.transaction().execute(async (trx) => {
        // Locks $LATEST until commit: an update racing this publish waits, then finds its revision check still holds or not.
        const row = await trx
          .selectFrom('function_versions')
          .select('record')
          .where('account_id', '=', req.accountId)
          .where('function_name', '=', req.functionName)
          .where('version', '=', LATEST)
          .forUpdate()
          .executeTakeFirst();
        const latest = parse<FunctionVersionRecord>(row);
        if (latest?.revisionId !== req.expectedRevisionId) return undefined;
        const { last_version: num } = await trx
          .updateTable('functions')
          .set((eb) => ({ last_version: eb('last_version', '+', 1) }))
          .where('account_id', '=', req.accountId)
          .where('name', '=', req.functionName)
          .returning('last_version')
          .executeTakeFirstOrThrow();
        const version = publishedVersion(latest, num, req);
        await trx.insertInto('function_versions').values(versionRow(version, num)).execute();
        return version;
      });
    },
    async latestPublished(k) {
      return parse(await versions(k).where('version_num', '>', 0).orderBy('version_num', 'desc').limit(1).executeTakeFirst());
    },
    async listLatest({ accountId, marker, limit }) {
      const rows = await db
        .selectFrom('function_versions')
        .select('record')
        .where('account_id', '=', accountId)
        .where('version', '=', LATEST)
        .where('function_name', '>', nameAfter(marker))
        .orderBy('function_name')
        .limit(limit + 1)
        .execute();
      return pageOf(parseAll<FunctionVersionRecord>(rows), limit, (r) => r.functionName);
    },
    async listVersions(req) {
      const rows = await versions(req)
        .where('version_num', '>', versionAfter(req.marker))
        .orderBy('version_num')
        .limit(req.limit + 1)
        .execute();
      return pageOf(parseAll<FunctionVersionRecord>(rows), req.limit, (r) => versionNumber(r.version));
    },
    async deleteFunction(k) {
      return changed(await db.deleteFrom('functions').where('account_id', '=', k.accountId).where('name', '=', k.functionName).executeTakeFirst());
    },
    async deleteVersion(k) {
      const result = await db
        .deleteFrom('function_versions')
        .where('account_id', '=', k.accountId)
        .where('function_name', '=', k.functionName)
        .where('version', '=', k.version)
        .executeTakeFirst();
      return changed(result);
    },
    async referencesCode(req) {
      const row = await db
        .selectFrom('function_versions')
        .select('version')
        .where('account_id', '=', req.accountId)
        .where('function_name', '=', req.functionName)
        .where('code_sha256', '=', req.codeSha256)
        .limit(1)
        .executeTakeFirst();
      return row !== undefined;
    },

    async createAlias(a) {
      const result = await db
        .insertInto('aliases')
        .values({ account_id: a.accountId, function_name: a.functionName, name: a.name, function_version: a.functionVersion, revision_id: a.revisionId, record: JSON.stringify(a) })
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst();
      return changed(result);
    },
    async getAlias(k) {
      return parse(await aliases(k).where('name', '=', k.name).executeTakeFirst());
    },
    async updateAlias({ next, expectedRevisionId }) {
      const result = await db
        .updateTable('aliases')
        .set({ function_version: next.functionVersion, revision_id: next.revisionId, record: JSON.stringify(next) })
        .where('account_id', '=', next.accountId)
        .where('function_name', '=', next.functionName)
        .where('name', '=', next.name)
        .where('revision_id', '=', expectedRevisionId)
        .executeTakeFirst();
      return changed(result);
    },
    async deleteAlias(k) {
      return changed(
        await db.deleteFrom('aliases').where('account_id', '=', k.accountId).where('function_name', '=', k.functionName).where('name', '=', k.name).executeTakeFirst(),
      );
    },
    async listAliases(req) {
      const rows = await aliases(req)
        .where('name', '>', nameAfter(req.marker))
        .orderBy('name')
        .limit(req.limit + 1)
        .execute();
      return pageOf(parseAll<AliasRecord>(rows), req.limit, (r) => r.name);
    },
    async aliasesUsingVersion(k) {
      return parseAll<AliasRecord>(await aliases(k).orderBy('name').execute())
        .filter((a) => routesTo(a, k.version))
        .map((a) => a.name);
    },

    async getTenancyLimits(k) {
      const row = await db
        .selectFrom('tenancy_limits')
        .select(['limits', 'revision_id'])
        .where('account_id', '=', k.accountId)
        .where('function_name', '=', k.functionName)
        .executeTakeFirst();
      return row && { accountId: k.accountId, functionName: k.functionName, limits: JSON.parse(row.limits) as TenancyLimits, revisionId: row.revision_id };
    },
    async putTenancyLimits({ next, expectedRevisionId }) {
      const limits = JSON.stringify(next.limits);
      if (expectedRevisionId === undefined) {
        const result = await db
          .insertInto('tenancy_limits')
          .values({ account_id: next.accountId, function_name: next.functionName, limits, revision_id: next.revisionId })
          .onConflict((oc) => oc.doNothing())
          .executeTakeFirst();
        return changed(result);
      }
      const result = await db
        .updateTable('tenancy_limits')
        .set({ limits, revision_id: next.revisionId })
        .where('account_id', '=', next.accountId)
        .where('function_name', '=', next.functionName)
        .where('revision_id', '=', expectedRevisionId)
        .executeTakeFirst();
      return changed(result);
    },
  };
}
