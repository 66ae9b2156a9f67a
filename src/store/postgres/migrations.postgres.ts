/**
 * @module The PostgreSQL schema, as an ordered list of migrations that are never edited once released,
 * and the step that applies them: all pending ones in one transaction, under an advisory lock so that
 * nodes starting together migrate once, and not at all when a newer Stratus migrated the database.
 */
import { sql, type Kysely } from 'kysely';
import { refuseNewerSchema } from '../schema-version.ts';
import type { Database } from './schema.postgres.ts';

export interface PostgresMigration {
  id: number;
  name: string;
  statements: string[];
}

export const MIGRATIONS: PostgresMigration[] = [
  {
    id: 1,
    name: 'accounts, functions, versions, aliases, tenancy limits, code',
    // Names are COLLATE "C": listings page by byte order, as on SQLite, whatever the database's locale.
    statements: [
      `CREATE TABLE accounts (
        id text PRIMARY KEY,
        name text NOT NULL UNIQUE,
        is_admin boolean NOT NULL,
        created_at text NOT NULL
      )`,
      `CREATE TABLE access_keys (
        access_key_id text PRIMARY KEY,
        secret_access_key text NOT NULL,
        account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        created_at text NOT NULL,
        seq bigint GENERATED ALWAYS AS IDENTITY
      )`,
      'CREATE INDEX access_keys_by_account ON access_keys (account_id, created_at, seq)',
      `CREATE TABLE functions (
        account_id text NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
        name text COLLATE "C" NOT NULL,
        last_version integer NOT NULL DEFAULT 0,
        created_at text NOT NULL,
        PRIMARY KEY (account_id, name)
      )`,
      `CREATE TABLE function_versions (
        account_id text NOT NULL,
        function_name text COLLATE "C" NOT NULL,
        version text NOT NULL,
        version_num integer NOT NULL,
        revision_id text NOT NULL,
        code_sha256 text NOT NULL,
        bundle_sha256 text NOT NULL,
        record text NOT NULL,
        PRIMARY KEY (account_id, function_name, version),
        FOREIGN KEY (account_id, function_name) REFERENCES functions(account_id, name) ON DELETE CASCADE
      )`,
      'CREATE INDEX function_versions_by_number ON function_versions (account_id, function_name, version_num)',
      'CREATE INDEX function_versions_by_code ON function_versions (code_sha256)',
      'CREATE INDEX function_versions_by_bundle ON function_versions (bundle_sha256)',
      `CREATE TABLE aliases (
        account_id text NOT NULL,
        function_name text COLLATE "C" NOT NULL,
        name text COLLATE "C" NOT NULL,
        function_version text NOT NULL,
        revision_id text NOT NULL,
        record text NOT NULL,
        PRIMARY KEY (account_id, function_name, name),
        FOREIGN KEY (account_id, function_name) REFERENCES functions(account_id, name) ON DELETE CASCADE
      )`,
      `CREATE TABLE tenancy_limits (
        account_id text NOT NULL,
        function_name text COLLATE "C" NOT NULL,
        limits text NOT NULL,
        revision_id text NOT NULL,
        PRIMARY KEY (account_id, function_name),
        FOREIGN KEY (account_id, function_name) REFERENCES functions(account_id, name) ON DELETE CASCADE
      )`,
      'CREATE TABLE code_zips (code_sha256 text PRIMARY KEY, zip bytea NOT NULL)',
      // Zips are compressed already: storing them out of line without another compression pass saves CPU on 70 MB uploads.
      'ALTER TABLE code_zips ALTER COLUMN zip SET STORAGE EXTERNAL',
      'CREATE TABLE code_bundles (bundle_sha256 text PRIMARY KEY, bundle text NOT NULL)',
      `CREATE TABLE code_recent_puts (
        kind text NOT NULL CHECK (kind IN ('zip', 'bundle')),
        sha text NOT NULL,
        stored_at bigint NOT NULL,
        PRIMARY KEY (kind, sha)
      )`,
    ],
  },
];

/** Brings the schema (of the connection's search_path) up to date; throws NewerSchemaError, having written nothing, when it is ahead. */
export async function migrate(db: Kysely<Database>, migrations: readonly PostgresMigration[] = MIGRATIONS): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Per schema, so that separate Stratus installations (and test runs) sharing a database do not wait on each other.
    await sql`SELECT pg_advisory_xact_lock(hashtextextended('stratus schema ' || coalesce(current_schema(), ''), 0))`.execute(trx);
    const table = await sql<{ found: string | null }>`SELECT to_regclass('schema_migrations')::text AS found`.execute(trx);
    const exists = table.rows[0]?.found != null;
    const applied = exists ? (await trx.selectFrom('schema_migrations').select('id').execute()).map((r) => r.id) : [];
    refuseNewerSchema(applied, migrations);
    if (!exists) await sql`CREATE TABLE schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`.execute(trx);
    for (const m of migrations) {
      if (applied.includes(m.id)) continue;
      for (const statement of m.statements) await sql.raw(statement).execute(trx);
      await trx.insertInto('schema_migrations').values({ id: m.id, name: m.name, applied_at: new Date().toISOString() }).execute();
    }
  });
}
