/**
 * @module The node's configuration: its own settings (data folder, region, log level) and every
 * module's, each declared and validated by the module that reads it; read all at once, before
 * anything starts, so a bad value stops the start with one line naming its variable.
 */
import path from 'node:path';
import { z } from 'zod';
import { apiSettings } from './api/index.ts';
import { artifactsSettings } from './artifacts/index.ts';
import { controlSettings } from './control/index.ts';
import { invokeSettings } from './invoke/index.ts';
import { poolSettings } from './pool/index.ts';
import { runtimeSettings } from './runtime/index.ts';
import { defineSettings, type Settings } from './shared/settings.ts';
import { storeSettings } from './store/index.ts';

/** What every module shares: where the node keeps its data, the region its ARNs name, how much it logs. */
export const nodeSettings = defineSettings({
  dataDir: {
    env: 'STRATUS_DATA_DIR',
    rule: z
      .string()
      .min(1)
      .default('.stratus')
      .transform((dir) => path.resolve(dir)),
  },
  region: {
    env: 'STRATUS_REGION',
    rule: z
      .string()
      .regex(/^[a-z]{2}(-[a-z]+)+-\d+$/)
      .default('us-east-1'),
  },
  logLevel: { env: 'STRATUS_LOG_LEVEL', rule: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') },
});

/** In start order: the node's own, then each module's. */
const ALL = [nodeSettings, storeSettings, runtimeSettings, poolSettings, artifactsSettings, invokeSettings, controlSettings, apiSettings] as const;

type ConfigOfSettings<T> = T extends Settings<infer C> ? C : never;
type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** The whole node's configuration: every module's settings, by key. */
export type StratusConfig = UnionToIntersection<ConfigOfSettings<(typeof ALL)[number]>>;

// Two modules reading one variable, or producing one key, would silently shadow each other.
for (const name of ['variables', 'keys'] as const) {
  const seen = new Set<string>();
  for (const s of ALL) for (const v of s[name]) if (seen.has(v) || !seen.add(v)) throw new Error(`configuration: ${v} is declared by two modules`);
}

/** Every STRATUS_* variable the server reads (the README's configuration table documents each). */
export const CONFIG_VARIABLES: readonly string[] = ALL.flatMap((s) => s.variables);

/** Every setting from `given` when it holds it, else from `env`, else its default; a bad value throws one line naming it. */
export function readConfig(env: Readonly<Record<string, string | undefined>>, given: Partial<StratusConfig> = {}): StratusConfig {
  return Object.assign({}, ...ALL.map((s) => s.read(env, given))) as StratusConfig;
}

/** Reads STRATUS_* variables; a bad value throws one line naming the variable and what it accepts. */
export function configFromEnv(env: NodeJS.ProcessEnv): StratusConfig {
  return readConfig(env);
}
