/**
 * @module What each folder offers the composition root: its services, the figures it adds to the
 * node's stats, and a close; and the registry that keeps them in start order, merges their
 * figures and closes them in reverse (the last started depends on the earlier ones).
 */

/** Named figures for `GET /stratus/v1/node`. */
export type Stats = Record<string, number>;

export interface Module<S> {
  readonly services: S;
  stats?(): Stats;
  close?(): Promise<void> | void;
}

export interface ModuleRegistry {
  /** Registers a started module; its services are returned for the modules that depend on it. */
  add<S>(name: string, module: Module<S>): S;
  /** Every module's figures, in start order; two modules reporting the same figure is a bug. */
  stats(): Stats;
  /** Closes every module in reverse start order; one that fails does not stop the rest, and the first failure is thrown after. */
  close(): Promise<void>;
}

export function createModuleRegistry(): ModuleRegistry {
  const started: Array<{ name: string; module: Module<unknown> }> = [];
  let closing: Promise<void> | undefined;
  return {
    add(name, module) {
      if (closing) throw new Error(`module ${name} registered after close`);
      if (started.some((m) => m.name === name)) throw new Error(`module ${name} registered twice`);
      started.push({ name, module });
      return module.services;
    },
    stats() {
      const out: Stats = {};
      const owner = new Map<string, string>();
      for (const { name, module } of started) {
        for (const [figure, value] of Object.entries(module.stats?.() ?? {})) {
          const other = owner.get(figure);
          if (other !== undefined) throw new Error(`modules ${other} and ${name} both report ${figure}`);
          owner.set(figure, name);
          out[figure] = value;
        }
      }
      return out;
    },
    close() {
      closing ??= (async () => {
        const failures: unknown[] = [];
        for (const { name, module } of [...started].reverse()) {
          try {
            await module.close?.();
          } catch (err) {
            failures.push(Object.assign(new Error(`module ${name} failed to close: ${(err as Error)?.message ?? String(err)}`), { cause: err }));
          }
        }
        if (failures.length > 0) throw failures[0];
      })();
      return closing;
    },
  };
}
