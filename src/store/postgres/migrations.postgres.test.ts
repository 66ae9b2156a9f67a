// PostgreSQL migrations: applied once (also when nodes start together), and a database a newer
// Stratus migrated is refused with one line naming STRATUS_DATABASE_URL, with nothing written.
import { afterEach, describe, expect, it } from 'vitest';
import { freshSchema, postgresUnderTest, withAdmin, type TestSchema } from '../../../test/support/postgres.ts';
import { openPostgresStores } from '../index.ts';
import { MIGRATIONS } from './migrations.postgres.ts';

const pg = postgresUnderTest();
const schemas: TestSchema[] = [];
afterEach(async () => {
  for (const s of schemas.splice(0)) await s.drop();
});

async function tables(schema: TestSchema): Promise<string[]> {
  const { rows } = await withAdmin(pg.url!, (c) => c.query<{ t: string }>('SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 ORDER BY 1', [schema.schema]));
  return rows.map((r) => r.t);
}

describe.runIf(pg.url || pg.required)('postgres migrations', () => {
  it('creates the schema once, even when several nodes start at the same time', async () => {
    const schema = await freshSchema();
    schemas.push(schema);
    const opened = await Promise.all([1, 2, 3].map(() => openPostgresStores(schema.url)));
    await Promise.all(opened.map((s) => s.close()));
    const { rows } = await withAdmin(pg.url!, (c) => c.query(`SELECT id FROM ${schema.schema}.schema_migrations ORDER BY id`));
    expect(rows.map((r) => r.id)).toEqual(MIGRATIONS.map((m) => m.id));
    expect(await tables(schema)).toContain('function_versions');
  });

  it('refuses a database a newer Stratus migrated, in one line, and writes nothing', async () => {
    const schema = await freshSchema();
    schemas.push(schema);
    await withAdmin(pg.url!, async (c) => {
      await c.query(`CREATE TABLE ${schema.schema}.schema_migrations (id integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)`);
      await c.query(`INSERT INTO ${schema.schema}.schema_migrations VALUES (1, 'initial', 'then'), (99, 'from the future', 'later')`);
    });
    const err = await openPostgresStores(schema.url).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(
      /^STRATUS_DATABASE_URL: the database postgres:\/\/.* was migrated by a newer Stratus \(schema version 99; this Stratus knows up to \d+\): upgrade Stratus/,
    );
    expect((err as Error).message).not.toContain('\n');
    expect(await tables(schema)).toEqual(['schema_migrations']);
  });
});
