/** @module Public face of the store layer: the ports, store selection, and the adapter sets (SQLite embedded, PostgreSQL). */
export type * from './ports.ts';
export { withReadCache } from './function-store.cached.ts';
export { openStores, openPostgresStores, type StoreConfig } from './open-stores.ts';
export { openSqliteStores } from './sqlite/open.sqlite.ts';
export { databaseUrlProblem, displayDatabaseUrl } from './database-url.ts';
export { NewerSchemaError } from './schema-version.ts';
export { createStoreModule, storeSettings, type StoreModuleDeps, type StoreSettings } from './module.ts';
