/**
 * @module Store selection: PostgreSQL when STRATUS_DATABASE_URL is set, else the embedded SQLite file
 * in the data folder; either way with the read cache in front of the function store.
 */
import fs from 'node:fs';
import path from 'node:path';
import { systemClock, type Clock } from '../shared/clock.ts';
import { databaseUrlProblem, withoutPassword } from './database-url.ts';
import { withReadCache } from './function-store.cached.ts';
import type { Stores } from './ports.ts';
import { createPostgresAccountStore } from './postgres/account-store.postgres.ts';
import { createPostgresCodeStore } from './postgres/code-store.postgres.ts';
import { openPostgres } from './postgres/database.postgres.ts';
import { guarded } from './postgres/errors.postgres.ts';
import { createPostgresFunctionStore } from './postgres/function-store.postgres.ts';
import { openSqliteStores } from './sqlite/open.sqlite.ts';

export interface StoreConfig {
  /** STRATUS_DATABASE_URL: PostgreSQL. Absent: SQLite in `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  clock?: Clock;
  /** Told when a database connection fails while idle (the next request opens another); never given the URL's password. */
  log?: { warn(obj: object, msg: string): void };
}

/** Opens the configured stores, migrated; throws one line naming what to fix when that cannot be done. */
export async function openStores(config: StoreConfig): Promise<Stores> {
  const opened = config.databaseUrl === undefined ? openSqliteFile(config.dataDir, config.clock) : await openPostgresStores(config.databaseUrl, config);
  // The invoke path reads a version or alias per call; every write goes through the same cache and drops it.
  return { ...opened, functions: withReadCache(opened.functions) };
}

/** The stores on PostgreSQL, without the read cache; transient database failures reach callers as STORE_UNAVAILABLE. */
export async function openPostgresStores(url: string, options: { clock?: Clock; log?: StoreConfig['log'] } = {}): Promise<Stores> {
  const problem = databaseUrlProblem(url);
  if (problem !== undefined) throw new Error(`STRATUS_DATABASE_URL: ${problem}`);
  const onConnectionError = (err: Error) =>
    options.log?.warn({ err: { message: withoutPassword(err.message, url) } }, 'a database connection failed; the next request opens another');
  const { db, close } = await openPostgres({ url, onConnectionError });
  return {
    accounts: guarded(createPostgresAccountStore(db)),
    functions: guarded(createPostgresFunctionStore(db)),
    code: guarded(createPostgresCodeStore(db, options.clock ?? systemClock)),
    close,
  };
}

function openSqliteFile(dataDir: string, clock?: Clock): Stores {
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = path.join(dataDir, 'stratus.db');
  // The database holds access keys: owner-only, like the credentials file (SQLite gives its WAL files the same mode).
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  return openSqliteStores(file, clock);
}
