/** @module The store module: its setting (STRATUS_DATABASE_URL) and the opened, migrated stores, closed last. */
import { z } from 'zod';
import type { Module } from '../shared/module.ts';
import { defineSettings } from '../shared/settings.ts';
import { databaseUrlProblem } from './database-url.ts';
import { openStores } from './open-stores.ts';
import type { Stores } from './ports.ts';

export const storeSettings = defineSettings({
  // The message says what is wrong without quoting the value: it may hold a password.
  databaseUrl: {
    env: 'STRATUS_DATABASE_URL',
    rule: z
      .string()
      .optional()
      .superRefine((url, ctx) => {
        const problem = url ? databaseUrlProblem(url) : undefined;
        if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem });
      })
      // Set but empty means unset, as shells and .env files often write it.
      .transform((url) => url || undefined),
  },
});

export type StoreSettings = ReturnType<typeof storeSettings.read>;

export interface StoreModuleDeps {
  /** The node's data folder: the embedded SQLite file lives there. */
  dataDir: string;
  log: { warn(obj: object, msg: string): void };
}

export async function createStoreModule(deps: StoreModuleDeps, config: StoreSettings): Promise<Module<Stores>> {
  const stores = await openStores({ dataDir: deps.dataDir, databaseUrl: config.databaseUrl, log: deps.log });
  return { services: stores, close: () => stores.close() };
}
