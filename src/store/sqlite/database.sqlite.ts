/** @module Opens the embedded SQLite database (better-sqlite3) and brings its schema up to date. */
import Database from 'better-sqlite3';
import { NewerSchemaError, refuseNewerSchema } from '../schema-version.ts';
import { MIGRATIONS } from './migrations.sqlite.ts';

export type SqliteDb = Database.Database;

/** Opens (creating if needed) the database file; `:memory:` works for tests. */
export function openSqlite(file: string): SqliteDb {
  const db = new Database(file);
  // WAL lets readers proceed while a write commits; NORMAL sync is durable across process crashes in WAL mode.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  try {
    migrate(db);
  } catch (err) {
    db.close();
    if (err instanceof NewerSchemaError) throw new Error(`STRATUS_DATA_DIR: the database ${file} ${err.message}: upgrade Stratus, or use another data folder`);
    throw err;
  }
  return db;
}

function migrate(db: SqliteDb): void {
  const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
  const ids = exists ? (db.prepare('SELECT id FROM schema_migrations').pluck().all() as number[]) : [];
  // Checked before anything is written: a database a newer Stratus migrated is left exactly as it was.
  refuseNewerSchema(ids, MIGRATIONS);
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (id INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)');
  const applied = new Set(ids);
  const record = db.prepare('INSERT INTO schema_migrations (id, name, applied_at) VALUES (?, ?, ?)');
  for (const m of MIGRATIONS) {
    if (applied.has(m.id)) continue;
    db.transaction(() => {
      db.exec(m.sql);
      record.run(m.id, m.name, new Date().toISOString());
    })();
  }
}
