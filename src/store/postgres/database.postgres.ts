/**
 * @module Opens PostgreSQL (pg's Pool under Kysely) and brings its schema up to date. The pool
 * reconnects by itself: a connection that dies is dropped from it and the next query opens another.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { startupMessage } from './errors.postgres.ts';
import { migrate } from './migrations.postgres.ts';
import type { Database } from './schema.postgres.ts';

export interface PostgresOptions {
  /** STRATUS_DATABASE_URL; its query parameters (application_name, options, sslmode...) reach the driver. */
  url: string;
  /** Told about connections that fail while idle (the next query reconnects); the message never holds the password. */
  onConnectionError?: (err: Error) => void;
  /** Connections at most (default 10). */
  maxConnections?: number;
}

export interface PostgresDb {
  db: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

/** How long opening one connection may take before the request (or start-up) fails. */
const CONNECT_TIMEOUT_MS = 10_000;

/** Connects, migrates, and returns the database; on failure throws one line naming STRATUS_DATABASE_URL, having written nothing. */
export async function openPostgres(options: PostgresOptions): Promise<PostgresDb> {
  const pool = new pg.Pool({
    connectionString: options.url,
    // The URL's own application_name, if any, wins: operators (and tests) find their connections by it.
    application_name: 'stratus',
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    idleTimeoutMillis: 30_000,
  });
  const report = options.onConnectionError ?? (() => {});
  // Without these listeners a connection that dies while idle, or between the statements of a
  // transaction, would be an unhandled 'error' event and end the process. The client's listener sees
  // both cases; the pool repeats the idle ones, so only the client's are reported.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', report));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  try {
    await migrate(db);
  } catch (err) {
    await db.destroy().catch(() => {});
    // No cause attached: the one line says what to fix, and nothing from the driver can carry the URL further.
    throw new Error(startupMessage(err, options.url));
  }
  return { db, pool, close: () => db.destroy() };
}
