/** @module Test support: at the end of the run, drops every PostgreSQL schema the run created and a failed test left behind. */
import { withAdmin } from './postgres-probe.ts';

/** vitest.config.ts leaves the server it found and the run's schema prefix here. */
export async function teardown(): Promise<void> {
  const prefix = process.env.STRATUS_TEST_SCHEMA_PREFIX;
  const url = process.env.STRATUS_TEST_POSTGRES_FOUND;
  if (!url || !prefix) return;
  await withAdmin(url, async (c) => {
    const { rows } = await c.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE starts_with(nspname, $1)', [prefix]);
    for (const { nspname } of rows) await c.query(`DROP SCHEMA IF EXISTS ${nspname} CASCADE`);
  });
}
