/** @module Public face of the store layer: the ports and the embedded SQLite adapter set. */
import { systemClock, type Clock } from '../shared/clock.ts';
import { openSqlite } from './sqlite/database.sqlite.ts';
import { createSqliteAccountStore } from './sqlite/account-store.sqlite.ts';
import { createSqliteCodeStore } from './sqlite/code-store.sqlite.ts';
import { createSqliteFunctionStore } from './sqlite/function-store.sqlite.ts';
import type { Stores } from './ports.ts';

export type * from './ports.ts';
export { withReadCache } from './function-store.cached.ts';

/** The embedded store: one SQLite file (or `:memory:`); the clock stamps when code was stored. */
export function openSqliteStores(file: string, clock: Clock = systemClock): Stores {
  const db = openSqlite(file);
  return {
    accounts: createSqliteAccountStore(db),
    functions: createSqliteFunctionStore(db),
    code: createSqliteCodeStore(db, clock),
    async close() {
      db.close();
    },
  };
}
