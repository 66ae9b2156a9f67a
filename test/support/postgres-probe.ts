/**
 * @module Test support: finds the PostgreSQL the tests use (127.0.0.1:5432, database `test`, trust
 * auth, user root or postgres; STRATUS_TEST_DATABASE_URL names another), once per run, from vitest.config.ts.
 */
import pg from 'pg';

export interface PostgresProbe {
  /** The server's URL when one answered (no schema chosen yet). */
  url?: string;
  /** Why there is none, for the one line the run prints. */
  reason: string;
}

const CANDIDATES = ['postgres://root@127.0.0.1:5432/test', 'postgres://postgres@127.0.0.1:5432/test'];

export async function probePostgres(env: NodeJS.ProcessEnv = process.env): Promise<PostgresProbe> {
  const candidates = env.STRATUS_TEST_DATABASE_URL ? [env.STRATUS_TEST_DATABASE_URL] : CANDIDATES;
  let reason = '';
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
    try {
      await client.connect();
      await client.query('SELECT 1');
      return { url, reason: '' };
    } catch (err) {
      reason = `no PostgreSQL answered at ${url.replace(/:[^:@/]*@/, '@')} (${(err as Error).message || (err as { code?: string }).code})`;
    } finally {
      await client.end().catch(() => {});
    }
  }
  return { reason };
}

/** Runs queries on a connection of its own (not one of Stratus's), then closes it. */
export async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, application_name: 'stratus-test-admin' });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}
