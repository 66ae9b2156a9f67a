/** @module The embedded store set: one SQLite file (or `:memory:`) holding accounts, functions and code. */
import { systemClock, type Clock } from '../../shared/clock.ts';
import type { Stores } from '../ports.ts';
import { createSqliteAccountStore } from './account-store.sqlite.ts';
import { createSqliteCodeStore } from './code-store.sqlite.ts';
import { openSqlite } from './database.sqlite.ts';
import { createSqliteFunctionStore } from './function-store.sqlite.ts';

/** The clock stamps when code was stored. */
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
