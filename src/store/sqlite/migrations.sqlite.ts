/** @module The SQLite schema, as an ordered list of migrations that are never edited once released. */

export interface Migration {
  id: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    id: 1,
    name: 'accounts, functions, versions, aliases, code',
    sql: `
      CREATE TABLE accounts (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        is_admin INTEGER NOT NULL,
        created_at TEXT NOT NULL
      );
      CREATE TABLE access_keys (
        access_key_id TEXT PRIMARY KEY,
        secret_access_key TEXT NOT NULL,
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at TEXT NOT NULL
      );
      CREATE TABLE functions (
        account_id TEXT NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        last_version INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        PRIMARY KEY (account_id, name)
      );
      CREATE TABLE function_versions (
        account_id TEXT NOT NULL,
        function_name TEXT NOT NULL,
        version TEXT NOT NULL,
        version_num INTEGER NOT NULL,
        revision_id TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (account_id, function_name, version),
        FOREIGN KEY (account_id, function_name) REFERENCES functions(account_id, name) ON DELETE CASCADE
      );
      CREATE TABLE aliases (
        account_id TEXT NOT NULL,
        function_name TEXT NOT NULL,
        name TEXT NOT NULL,
        function_version TEXT NOT NULL,
        revision_id TEXT NOT NULL,
        record TEXT NOT NULL,
        PRIMARY KEY (account_id, function_name, name),
        FOREIGN KEY (account_id, function_name) REFERENCES functions(account_id, name) ON DELETE CASCADE
      );
      CREATE TABLE code_zips (
        code_sha256 TEXT PRIMARY KEY,
        zip BLOB NOT NULL
      );
      CREATE TABLE code_bundles (
        bundle_sha256 TEXT PRIMARY KEY,
        bundle TEXT NOT NULL
      );
    `,
  },
  {
    id: 2,
    name: 'per-tenant limits of a function',
    sql: `
      CREATE TABLE tenancy_limits (
        account_id TEXT NOT NULL,
        function_name TEXT NOT NULL,
        limits TEXT NOT NULL,
        PRIMARY KEY (account_id, function_name),
        FOREIGN KEY (account_id, function_name) REFERENCES functions(account_id, name) ON DELETE CASCADE
      );
    `,
  },
  {
    id: 3,
    name: 'code garbage collection: recently stored code, and which versions reference which code',
    // Code rows are not stamped themselves: updating a row rewrites its blob. A put is recorded here
    // instead, and forgotten once past the grace period; code with no record here is old.
    sql: `
      CREATE TABLE code_recent_puts (
        kind TEXT NOT NULL CHECK (kind IN ('zip', 'bundle')),
        sha TEXT NOT NULL,
        stored_at INTEGER NOT NULL,
        PRIMARY KEY (kind, sha)
      ) WITHOUT ROWID;
      ALTER TABLE function_versions ADD COLUMN code_sha256 TEXT GENERATED ALWAYS AS (json_extract(record, '$.codeSha256')) VIRTUAL;
      ALTER TABLE function_versions ADD COLUMN bundle_sha256 TEXT GENERATED ALWAYS AS (json_extract(record, '$.bundleSha256')) VIRTUAL;
      CREATE INDEX function_versions_by_code ON function_versions (code_sha256);
      CREATE INDEX function_versions_by_bundle ON function_versions (bundle_sha256);
    `,
  },
  {
    id: 4,
    name: 'tenancy limits carry a revision, so that their writes are conditional on it',
    // Limits written before this get a revision of their own; cleared limits now keep their row.
    sql: `
      ALTER TABLE tenancy_limits ADD COLUMN revision_id TEXT NOT NULL DEFAULT '';
      UPDATE tenancy_limits SET revision_id = lower(hex(randomblob(16)));
    `,
  },
];
