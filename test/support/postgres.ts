/**
 * @module Test support: the run's PostgreSQL (found once by vitest.config.ts), and a fresh schema per
 * use, named for the run so that the run's teardown drops whatever a failed test left behind.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { withAdmin } from './postgres-probe.ts';

export { withAdmin };

export interface PostgresUnderTest {
  /** The server's URL; absent when none answered. */
  url?: string;
  /** Why there is none. */
  reason: string;
  /** CI=true: a missing PostgreSQL fails the tests that need it instead of skipping them. */
  required: boolean;
  /** Prefix of every schema this run creates. */
  schemaPrefix: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    postgres: PostgresUnderTest;
    /** The store the integration tests of this project start Stratus on. */
    store: 'sqlite' | 'postgres';
  }
}

export const postgresUnderTest = (): PostgresUnderTest => inject('postgres');

export interface TestSchema {
  schema: string;
  /** The server URL with this schema as search_path and as application_name (tests find Stratus's connections by it). */
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty schema for one test or one server. */
export async function freshSchema(pgt: PostgresUnderTest = postgresUnderTest()): Promise<TestSchema> {
  if (!pgt.url) throw new Error(`PostgreSQL is needed here: ${pgt.reason}`);
  const base = pgt.url;
  const schema = `${pgt.schemaPrefix}${randomBytes(5).toString('hex')}`;
  await withAdmin(base, (c) => c.query(`CREATE SCHEMA ${schema}`));
  const url = `${base}${base.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}&application_name=${schema}`;
  return { schema, url, drop: () => withAdmin(base, (c) => c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`)).then(() => {}) };
}
