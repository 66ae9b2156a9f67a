/**
 * @module What PostgreSQL errors mean to Stratus: a lost or refused connection while serving is a
 * retryable 503 (the pool reconnects on the next request), and a failure to open the database at
 * start is one line naming STRATUS_DATABASE_URL and the problem, never the URL's password.
 */
import { stratusError } from '../../shared/errors.ts';
import { displayDatabaseUrl, withoutPassword } from '../database-url.ts';
import { NewerSchemaError } from '../schema-version.ts';

type PgLikeError = Error & { code?: string };

/** Socket-level failures of the connection itself. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * SQLSTATEs after which the same request can succeed on a fresh attempt: connection exceptions (08),
 * the server terminating the backend (57P01-57P03), resource exhaustion (53) and lost serialization
 * races (40001, 40P01).
 */
const RETRYABLE_SQLSTATE = /^(08...|57P0[123]|53...|40001|40P01)$/;

/** What the driver says when a socket closed under it (these errors carry no code). */
const LOST_CONNECTION = /Connection terminated|connection error and is not queryable|timeout exceeded when trying to connect|Connection ended/i;

export function isTransientStoreError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = (err as PgLikeError).code;
  if (code !== undefined && (NETWORK_CODES.has(code) || RETRYABLE_SQLSTATE.test(code))) return true;
  return LOST_CONNECTION.test(err.message);
}

/** The error a client gets when the database could not answer: 503, Lambda's ServiceException, retry in a second. */
export function storeUnavailable(cause: unknown) {
  return stratusError('STORE_UNAVAILABLE', { detail: cause instanceof Error ? cause.message : String(cause), cause });
}

/** Wraps every method of a store so that transient database failures surface as STORE_UNAVAILABLE. */
export function guarded<T extends object>(port: T): T {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(port)) {
    out[name] =
      typeof fn !== 'function'
        ? fn
        : async (...args: unknown[]) => {
            try {
              return await (fn as (...a: unknown[]) => Promise<unknown>).apply(port, args);
            } catch (err) {
              throw isTransientStoreError(err) ? storeUnavailable(err) : err;
            }
          };
  }
  return out as T;
}

/** One line for a database that cannot be opened at start: names the variable and what to do. */
export function startupMessage(err: unknown, databaseUrl: string): string {
  const where = displayDatabaseUrl(databaseUrl);
  let host = where;
  let user = '';
  try {
    const url = new URL(databaseUrl);
    host = `${url.hostname}:${url.port || '5432'}`;
    user = decodeURIComponent(url.username);
  } catch {
    // shown as the whole redacted URL then
  }
  const e = err as PgLikeError;
  const code = e?.code;
  let problem: string;
  if (err instanceof NewerSchemaError) problem = `the database ${where} ${err.message}: upgrade Stratus, or point STRATUS_DATABASE_URL at another database`;
  else if (code === 'ECONNREFUSED') problem = `cannot connect to PostgreSQL at ${host} (connection refused): check that it runs and listens on that host and port`;
  else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') problem = `the host of ${where} is not known: check the host name`;
  else if (code === '28P01' || code === '28000') problem = `PostgreSQL at ${host} refused the login of user '${user}' (${e.message}): check the user and password`;
  else if (code === '3D000') problem = `the database of ${where} does not exist: create it first, or name an existing one`;
  else if (e instanceof Error && /timeout/i.test(e.message)) problem = `PostgreSQL at ${host} did not answer in time: check the host, port and network`;
  else problem = `cannot open ${where}: ${e instanceof Error ? e.message : String(err)}`;
  return `STRATUS_DATABASE_URL: ${withoutPassword(problem, databaseUrl).replace(/\s*\n\s*/g, ' ')}`;
}
