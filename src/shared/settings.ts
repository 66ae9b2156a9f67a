/**
 * @module Module settings: each STRATUS_* variable is declared once, by the module that reads it,
 * with the zod rule its value must meet; a value given directly (tests, embedding) meets the same
 * rule, and a bad one is reported in one line naming its variable.
 */
import type { z } from 'zod';

/** One setting: the environment variable it is read from and the rule (with its default) its value meets. */
export interface Setting<T> {
  env: string;
  rule: z.ZodType<T>;
}

type SettingMap = Record<string, Setting<unknown>>;

/** The typed configuration a set of settings produces. */
export type ConfigOf<S extends SettingMap> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export interface Settings<C> {
  /** The environment variables these settings read, in declaration order. */
  readonly variables: readonly string[];
  /** The typed keys these settings produce. */
  readonly keys: readonly string[];
  /** Each value from `given` when it holds the key, else from its variable in `env`, else the default; throws a SettingError naming the first bad one's variable. */
  read(env: Readonly<Record<string, string | undefined>>, given?: Readonly<Record<string, unknown>>): C;
}

/** A bad setting, as one line: `STRATUS_PORT: Too big: expected number to be <=65535`. */
export class SettingError extends Error {
  override name = 'SettingError';
}

export function defineSettings<S extends SettingMap>(settings: S): Settings<ConfigOf<S>> {
  const keys = Object.keys(settings);
  return {
    variables: keys.map((k) => settings[k]!.env),
    keys,
    read(env, given = {}) {
      const out: Record<string, unknown> = {};
      for (const key of keys) {
        const { env: variable, rule } = settings[key]!;
        const direct = given[key] !== undefined;
        const parsed = rule.safeParse(direct ? given[key] : env[variable]);
        // Named by its variable however it was given: that is the name the README documents.
        if (!parsed.success) throw new SettingError(`${variable}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`);
        out[key] = parsed.data;
      }
      return out as ConfigOf<S>;
    },
  };
}
