/** @module FunctionStore on SQLite: functions, their versions, aliases and tenancy limits, with revision-conditional writes. */
import type { AliasRecord, FunctionStore, FunctionVersionRecord, PublishRequest, TenancyLimits } from '../ports.ts';
import { nameAfter, pageOf, publishedVersion, routesTo, versionAfter, versionNumber } from '../records.ts';
import type { SqliteDb } from './database.sqlite.ts';

const LATEST = '$LATEST';

interface RecordRow {
  record: string;
}

const parse = <T>(row: RecordRow | undefined): T | undefined => row && (JSON.parse(row.record) as T);
const parseAll = <T>(rows: RecordRow[]): T[] => rows.map((r) => JSON.parse(r.record) as T);

export function createSqliteFunctionStore(db: SqliteDb): FunctionStore {
  const insertFunction = db.prepare('INSERT OR IGNORE INTO functions (account_id, name, created_at) VALUES (?, ?, ?)');
  const insertVersion = db.prepare('INSERT INTO function_versions (account_id, function_name, version, version_num, revision_id, record) VALUES (?, ?, ?, ?, ?, ?)');
  const getVersion = db.prepare<[string, string, string], RecordRow>('SELECT record FROM function_versions WHERE account_id = ? AND function_name = ? AND version = ?');
  const updateLatest = db.prepare(
    "UPDATE function_versions SET revision_id = ?, record = ? WHERE account_id = ? AND function_name = ? AND version = '$LATEST' AND revision_id = ?",
  );
  const bumpVersion = db.prepare('UPDATE functions SET last_version = last_version + 1 WHERE account_id = ? AND name = ? RETURNING last_version');
  const latestPublished = db.prepare<[string, string], RecordRow>(
    'SELECT record FROM function_versions WHERE account_id = ? AND function_name = ? AND version_num > 0 ORDER BY version_num DESC LIMIT 1',
  );
  const listLatest = db.prepare<[string, string, number], RecordRow>(
    "SELECT record FROM function_versions WHERE account_id = ? AND version = '$LATEST' AND function_name > ? ORDER BY function_name LIMIT ?",
  );
  const listVersions = db.prepare<[string, string, number, number], RecordRow>(
    'SELECT record FROM function_versions WHERE account_id = ? AND function_name = ? AND version_num > ? ORDER BY version_num LIMIT ?',
  );
  const deleteFunction = db.prepare('DELETE FROM functions WHERE account_id = ? AND name = ?');
  const deleteVersion = db.prepare('DELETE FROM function_versions WHERE account_id = ? AND function_name = ? AND version = ?');
  const referencesCode = db.prepare<[string, string, string], { found: number }>(
    'SELECT 1 AS found FROM function_versions WHERE account_id = ? AND function_name = ? AND code_sha256 = ? LIMIT 1',
  );

  const insertAlias = db.prepare('INSERT OR IGNORE INTO aliases (account_id, function_name, name, function_version, revision_id, record) VALUES (?, ?, ?, ?, ?, ?)');
  const getAlias = db.prepare<[string, string, string], RecordRow>('SELECT record FROM aliases WHERE account_id = ? AND function_name = ? AND name = ?');
  const updateAlias = db.prepare(
    'UPDATE aliases SET function_version = ?, revision_id = ?, record = ? WHERE account_id = ? AND function_name = ? AND name = ? AND revision_id = ?',
  );
  const deleteAlias = db.prepare('DELETE FROM aliases WHERE account_id = ? AND function_name = ? AND name = ?');
  const listAliases = db.prepare<[string, string, string, number], RecordRow>(
    'SELECT record FROM aliases WHERE account_id = ? AND function_name = ? AND name > ? ORDER BY name LIMIT ?',
  );
  const allAliases = db.prepare<[string, string], RecordRow>('SELECT record FROM aliases WHERE account_id = ? AND function_name = ? ORDER BY name');

  const getLimits = db.prepare<[string, string], { limits: string; revision_id: string }>(
    'SELECT limits, revision_id FROM tenancy_limits WHERE account_id = ? AND function_name = ?',
  );
  const insertLimits = db.prepare('INSERT OR IGNORE INTO tenancy_limits (account_id, function_name, limits, revision_id) VALUES (?, ?, ?, ?)');
  const updateLimits = db.prepare('UPDATE tenancy_limits SET limits = ?, revision_id = ? WHERE account_id = ? AND function_name = ? AND revision_id = ?');

  const create = db.transaction((latest: FunctionVersionRecord): boolean => {
    const inserted = insertFunction.run(latest.accountId, latest.functionName, latest.lastModified).changes === 1;
    if (inserted) insertVersion.run(latest.accountId, latest.functionName, LATEST, 0, latest.revisionId, JSON.stringify(latest));
    return inserted;
  });

  const publish = db.transaction((req: PublishRequest): FunctionVersionRecord | undefined => {
    const latest = parse<FunctionVersionRecord>(getVersion.get(req.accountId, req.functionName, LATEST));
    if (latest?.revisionId !== req.expectedRevisionId) return undefined;
    const { last_version: num } = bumpVersion.get(req.accountId, req.functionName) as { last_version: number };
    const version = publishedVersion(latest, num, req);
    insertVersion.run(req.accountId, req.functionName, version.version, num, req.revisionId, JSON.stringify(version));
    return version;
  });

  return {
    async createFunction(latest) {
      return create(latest);
    },
    async getVersion({ accountId, functionName, version }) {
      return parse(getVersion.get(accountId, functionName, version));
    },
    async updateLatest({ next, expectedRevisionId }) {
      return updateLatest.run(next.revisionId, JSON.stringify(next), next.accountId, next.functionName, expectedRevisionId).changes === 1;
    },
    async publishVersion(request) {
      return publish(request);
    },
    async latestPublished({ accountId, functionName }) {
      return parse(latestPublished.get(accountId, functionName));
    },
    async listLatest({ accountId, marker, limit }) {
      return pageOf(parseAll<FunctionVersionRecord>(listLatest.all(accountId, nameAfter(marker), limit + 1)), limit, (r) => r.functionName);
    },
    async listVersions({ accountId, functionName, marker, limit }) {
      const rows = listVersions.all(accountId, functionName, versionAfter(marker), limit + 1);
      return pageOf(parseAll<FunctionVersionRecord>(rows), limit, (r) => versionNumber(r.version));
    },
    async deleteFunction({ accountId, functionName }) {
      return deleteFunction.run(accountId, functionName).changes === 1;
    },
    async deleteVersion({ accountId, functionName, version }) {
      return deleteVersion.run(accountId, functionName, version).changes === 1;
    },
    async referencesCode({ accountId, functionName, codeSha256 }) {
      return referencesCode.get(accountId, functionName, codeSha256) !== undefined;
    },

    async createAlias(alias) {
      return insertAlias.run(alias.accountId, alias.functionName, alias.name, alias.functionVersion, alias.revisionId, JSON.stringify(alias)).changes === 1;
    },
    async getAlias({ accountId, functionName, name }) {
      return parse(getAlias.get(accountId, functionName, name));
    },
    async updateAlias({ next, expectedRevisionId }) {
      const changes = updateAlias.run(next.functionVersion, next.revisionId, JSON.stringify(next), next.accountId, next.functionName, next.name, expectedRevisionId).changes;
      return changes === 1;
    },
    async deleteAlias({ accountId, functionName, name }) {
      return deleteAlias.run(accountId, functionName, name).changes === 1;
    },
    async listAliases({ accountId, functionName, marker, limit }) {
      return pageOf(parseAll<AliasRecord>(listAliases.all(accountId, functionName, nameAfter(marker), limit + 1)), limit, (r) => r.name);
    },
    async aliasesUsingVersion({ accountId, functionName, version }) {
      return parseAll<AliasRecord>(allAliases.all(accountId, functionName))
        .filter((a) => routesTo(a, version))
        .map((a) => a.name);
    },

    async getTenancyLimits({ accountId, functionName }) {
      const row = getLimits.get(accountId, functionName);
      return row && { accountId, functionName, limits: JSON.parse(row.limits) as TenancyLimits, revisionId: row.revision_id };
    },
    async putTenancyLimits({ next, expectedRevisionId }) {
      const limits = JSON.stringify(next.limits);
      const run =
        expectedRevisionId === undefined
          ? insertLimits.run(next.accountId, next.functionName, limits, next.revisionId)
          : updateLimits.run(limits, next.revisionId, next.accountId, next.functionName, expectedRevisionId);
      return run.changes === 1;
    },
  };
}
