/**
 * @module Garbage collection of code: zips and bundles that no function version (of any account)
 * references any more are deleted from the code store.
 *
 * A sweep is one store step (`CodeStore.collectGarbage`) that deletes unreferenced code stored more
 * than a grace period ago. The grace period is what makes it safe against a deploy in flight: a deploy
 * stores its code and then, a moment later, writes the version record that references it, and a
 * sweep in between must not take the code. Storing code that is already there stamps it again, so a
 * deploy that re-uses code awaiting collection is covered too. This was chosen over storing code and
 * record in one transaction (that would merge the code and function ports for every adapter) and
 * over an in-process lock (wrong as soon as several nodes share a database). The price: code released
 * within its grace period of being stored waits for a later sweep, so sweeps run after every change
 * that can release code, once at startup, and on a timer (both set up by the composition root).
 */
import type { Clock } from '../shared/clock.ts';
import type { CodeStore } from '../store/index.ts';

export interface CodeCollectorDeps {
  code: CodeStore;
  clock: Clock;
  /** Code stored less than this long ago is never collected (a deploy may not have written its version yet). */
  graceMs: number;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface CodeCollector {
  /** One sweep. Never throws: a failed sweep is logged and the next one retries. */
  collect(): Promise<void>;
}

export function createCodeCollector(deps: CodeCollectorDeps): CodeCollector {
  return {
    async collect() {
      try {
        const gone = await deps.code.collectGarbage(deps.clock.now() - deps.graceMs);
        if (gone.zips > 0 || gone.bundles > 0) deps.log.info({ zips: gone.zips, bundles: gone.bundles }, 'unreferenced code deleted');
      } catch (err) {
        deps.log.error({ err }, 'code garbage collection failed');
      }
    },
  };
}
