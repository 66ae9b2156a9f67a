/** @module FunctionStore on SQLite: functions, their versions and aliases, with revision-conditional writes. */
import type { AliasRecord, FunctionStore, FunctionVersionRecord, Page, TenancyLimits } from '../ports.ts';
import type { SqliteDb } from './database.sqlite.ts';
import { decodeMarker, encodeMarker } from '../marker.ts';

const LATEST = '$LATEST';

interface RecordRow { record: string }

function page<T>(rows: RecordRow[], limit: number, keyOf: (r: T) => string | number): Page<T> {
  const items = rows.slice(0, limit).map((r) => JSON.parse(r.record) as T);
  const last = items[items.length - 1];
  return rows.length > limit && last !== undefined ? { items, nextMarker: encodeMarker(keyOf(last)) } : { items };
}

export function createSqliteFunctionStore(db: SqliteDb): FunctionStore {
  const insertFunction = db.prepare('INSERT OR IGNORE INTO functions (account_id, name, created_at) VALUES (?, ?, ?)');
  const insertVersion = db.prepare(
    'INSERT INTO function_versions (account_id, function_name, version, version_num, revision_id, record) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const getVersion = db.prepare<[string, string, string], RecordRow>(
    'SELECT record FROM function_versions WHERE account_id = ? AND function_name = ? AND version = ?',
  );
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
  const insertAlias = db.prepare(
    'INSERT OR IGNORE INTO aliases (account_id, function_name, name, function_version, revision_id, record) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const getAlias = db.prepare<[string, string, string], RecordRow>('SELECT record FROM aliases WHERE account_id = ? AND function_name = ? AND name = ?');
  const updateAlias = db.prepare(
    'UPDATE aliases SET function_version = ?, revision_id = ?, record = ? WHERE account_id = ? AND function_name = ? AND name = ? AND revision_id = ?',
  );
  const deleteAlias = db.prepare('DELETE FROM aliases WHERE account_id = ? AND function_name = ? AND name = ?');
  const listAliases = db.prepare<[string, string, string, number], RecordRow>(
    'SELECT record FROM aliases WHERE account_id = ? AND function_name = ? AND name > ? ORDER BY name LIMIT ?',
  );
  const aliasesUsing = db.prepare<[string, string, string, string], { name: string }>(
    "SELECT name FROM aliases WHERE account_id = ? AND function_name = ? AND (function_version = ? OR json_extract(record, '$.additionalVersionWeights') LIKE ?)",
  );

  const referencesCode = db.prepare<[string, string, string], { found: number }>(
    'SELECT 1 AS found FROM function_versions WHERE account_id = ? AND function_name = ? AND code_sha256 = ? LIMIT 1',
  );

  const getLimits = db.prepare<[string, string], { limits: string }>('SELECT limits FROM tenancy_limits WHERE account_id = ? AND function_name = ?');
  const putLimits = db.prepare(
    'INSERT INTO tenancy_limits (account_id, function_name, limits) VALUES (?, ?, ?) ON CONFLICT (account_id, function_name) DO UPDATE SET limits = excluded.limits',
  );
  const clearLimits = db.prepare('DELETE FROM tenancy_limits WHERE account_id = ? AND function_name = ?');

  const create = db.transaction((latest: FunctionVersionRecord): boolean => {
    const inserted = insertFunction.run(latest.accountId, latest.functionName, latest.lastModified).changes === 1;
    if (inserted) insertVersion.run(latest.accountId, latest.functionName, LATEST, 0, latest.revisionId, JSON.stringify(latest));
    return inserted;
  });

  const publish = db.transaction(
    (accountId: string, name: string, expected: string, description: string, revisionId: string, now: string): FunctionVersionRecord | undefined => {
      const row = getVersion.get(accountId, name, LATEST);
      if (!row) return undefined;
      const latest = JSON.parse(row.record) as FunctionVersionRecord;
      if (latest.revisionId !== expected) return undefined;
      const { last_version: num } = bumpVersion.get(accountId, name) as { last_version: number };
      const version: FunctionVersionRecord = { ...latest, version: String(num), description: description || latest.description, revisionId, lastModified: now };
      insertVersion.run(accountId, name, version.version, num, revisionId, JSON.stringify(version));
      return version;
    },
  );

  return {
    async createFunction(latest) {
      return create(latest);
    },
    async getVersion(accountId, name, version) {
      const row = getVersion.get(accountId, name, version);
      return row && (JSON.parse(row.record) as FunctionVersionRecord);
    },
    async updateLatest(next, expected) {
      return updateLatest.run(next.revisionId, JSON.stringify(next), next.accountId, next.functionName, expected).changes === 1;
    },
    async publishVersion(accountId, name, expected, description, revisionId, now) {
      return publish(accountId, name, expected, description, revisionId, now);
    },
    async latestPublished(accountId, name) {
      const row = latestPublished.get(accountId, name);
      return row && (JSON.parse(row.record) as FunctionVersionRecord);
    },
    async listLatest(accountId, marker, limit) {
      const after = marker === undefined ? '' : String(decodeMarker(marker));
      return page<FunctionVersionRecord>(listLatest.all(accountId, after, limit + 1), limit, (r) => r.functionName);
    },
    async listVersions(accountId, name, marker, limit) {
      // $LATEST is listed first (version_num 0), then published versions in order.
      const after = marker === undefined ? -1 : Number(decodeMarker(marker));
      return page<FunctionVersionRecord>(listVersions.all(accountId, name, after, limit + 1), limit, (r) => (r.version === LATEST ? 0 : Number(r.version)));
    },
    async deleteFunction(accountId, name) {
      return deleteFunction.run(accountId, name).changes === 1;
    },
    async deleteVersion(accountId, name, version) {
      return deleteVersion.run(accountId, name, version).changes === 1;
    },
    async createAlias(alias) {
      return insertAlias.run(alias.accountId, alias.functionName, alias.name, alias.functionVersion, alias.revisionId, JSON.stringify(alias)).changes === 1;
    },
    async getAlias(accountId, name, aliasName) {
      const row = getAlias.get(accountId, name, aliasName);
      return row && (JSON.parse(row.record) as AliasRecord);
    },
    async updateAlias(next, expected) {
      const changes = updateAlias.run(next.functionVersion, next.revisionId, JSON.stringify(next), next.accountId, next.functionName, next.name, expected).changes;
      return changes === 1;
    },
    async deleteAlias(accountId, name, aliasName) {
      return deleteAlias.run(accountId, name, aliasName).changes === 1;
    },
    async listAliases(accountId, name, marker, limit) {
      const after = marker === undefined ? '' : String(decodeMarker(marker));
      return page<AliasRecord>(listAliases.all(accountId, name, after, limit + 1), limit, (r) => r.name);
    },
    async getTenancyLimits(accountId, name) {
      const row = getLimits.get(accountId, name);
      return row ? (JSON.parse(row.limits) as TenancyLimits) : {};
    },
    async setTenancyLimits(accountId, name, limits) {
      if (limits.maxConcurrency === undefined && limits.maxRequestsPerSecond === undefined) clearLimits.run(accountId, name);
      else putLimits.run(accountId, name, JSON.stringify(limits));
    },
    async aliasesUsingVersion(accountId, name, version) {
      return aliasesUsing.all(accountId, name, version, `%"${version}"%`).map((r) => r.name);
    },
    async referencesCode(accountId, name, codeSha256) {
      return referencesCode.get(accountId, name, codeSha256) !== undefined;
    },
  };
}
