/**
 * @module The adapter sets every store contract suite runs against: SQLite in memory, and PostgreSQL
 * in a fresh schema per test (dropped when the test closes its stores). Without PostgreSQL its half
 * is left out (vitest.config.ts printed why), or fails under CI=true.
 */
import { describe, it } from 'vitest';
import { freshSchema, postgresUnderTest } from '../../test/support/postgres.ts';
import type { Clock } from '../shared/clock.ts';
import { openPostgresStores, openSqliteStores } from './index.ts';
import type { Stores } from './ports.ts';

export type OpenStores = (clock?: Clock) => Promise<Stores>;

const openSqlite: OpenStores = async (clock) => openSqliteStores(':memory:', clock);

const openPostgres: OpenStores = async (clock) => {
  const schema = await freshSchema();
  try {
    const stores = await openPostgresStores(schema.url, { clock });
    return {
      ...stores,
      async close() {
        await stores.close();
        await schema.drop();
      },
    };
  } catch (err) {
    await schema.drop();
    throw err;
  }
};

/** Declares the suite once per adapter: `body` gets a function that opens a fresh, empty store set. */
export function describeEachAdapter(title: string, body: (open: OpenStores) => void): void {
  describe(`sqlite: ${title}`, () => body(openSqlite));
  const pg = postgresUnderTest();
  if (pg.url) describe(`postgres: ${title}`, () => body(openPostgres));
  else if (pg.required) {
    describe(`postgres: ${title}`, () => {
      it('needs PostgreSQL (CI=true)', () => {
        throw new Error(`PostgreSQL is required under CI=true: ${pg.reason}`);
      });
    });
  }
}
