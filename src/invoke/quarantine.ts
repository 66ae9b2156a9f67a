/**
 * @module Functions and accounts whose code stopped an engine in a way it could not recover from
 * (a step it could not stop, whose thread keeps a core busy until the process ends): refused on
 * this node, so that no account can take the node's cores one invocation at a time. A function is
 * let out when it is deployed again; an account that lost `accountLimit` threads stays in until the
 * node restarts. A function whose invocations were running when an engine worker process ended,
 * `crashLimit` times, is refused the same way, and an account whose functions together did it
 * `accountCrashLimit` times is refused until the node restarts. Node-local and
 * in memory, like the threads and workers it accounts for.
 */
import { stratusError } from '../shared/errors.ts';

export interface Quarantine {
  /** Throws a user error when the function (if named), or its whole account, is quarantined on this node. */
  check(accountId: string, functionName?: string): void;
  /** An invocation or init of this function (unnamed: a deploy check) lost an engine thread. */
  lost(accountId: string, functionName?: string): void;
  /**
   * An engine worker process ended while this function was the only one it was running (invocations
   * or inits): the function is the one suspect.
   */
  crashed(accountId: string, functionName: string): void;
  /**
   * An engine worker process ended while running these (one entry per request in flight): only a
   * sole suspect is blamed, so no function is quarantined for a neighbour that shared the worker.
   */
  workerEnded(running: ReadonlyArray<{ accountId: string; functionName: string }>): void;
  /** The function changed (new code or configuration): it gets another chance; its account's count stays. */
  changed(accountId: string, functionName: string): void;
  stats(): { lostThreads: number; workerCrashes: number; functions: number; accounts: number };
}

/** Worker processes that may end under one function before it is refused. */
const DEFAULT_CRASH_LIMIT = 3;
/** Worker processes that may end under one account's functions, all together, before the account is refused. */
const DEFAULT_ACCOUNT_CRASH_LIMIT = 10;

export function createQuarantine(opts: { accountLimit: number; crashLimit?: number; accountCrashLimit?: number }): Quarantine {
  const crashLimit = opts.crashLimit ?? DEFAULT_CRASH_LIMIT;
  // Per function alone, an account with many functions could end workers (and its neighbours' calls) without end.
  const accountCrashLimit = opts.accountCrashLimit ?? DEFAULT_ACCOUNT_CRASH_LIMIT;
  const crashesByAccount = new Map<string, number>();
  /** Quarantined functions, with why. */
  const functions = new Map<string, 'lost' | 'crash'>();
  const crashesByFunction = new Map<string, number>();
  let workerCrashes = 0;
  const lostByAccount = new Map<string, number>();
  let lostThreads = 0;
  const key = (accountId: string, functionName: string) => `${accountId}\u0000${functionName}`;
  function crashed(accountId: string, functionName: string): void {
    workerCrashes++;
    const k = key(accountId, functionName);
    const n = (crashesByFunction.get(k) ?? 0) + 1;
    crashesByFunction.set(k, n);
    if (n >= crashLimit && !functions.has(k)) functions.set(k, 'crash');
    crashesByAccount.set(accountId, (crashesByAccount.get(accountId) ?? 0) + 1);
  }
  return {
    check(accountId, functionName) {
      const lost = lostByAccount.get(accountId) ?? 0;
      if (lost >= opts.accountLimit) {
        throw stratusError('ACCOUNT_QUARANTINED.lostThreads', { count: lost });
      }
      const crashes = crashesByAccount.get(accountId) ?? 0;
      if (crashes >= accountCrashLimit) throw stratusError('ACCOUNT_QUARANTINED.workerCrashes', { count: crashes });
      const why = functionName === undefined ? undefined : functions.get(key(accountId, functionName));
      if (why === 'lost') throw stratusError('FUNCTION_QUARANTINED.lostThread', { name: functionName! });
      if (why === 'crash') throw stratusError('FUNCTION_QUARANTINED.workerCrashes', { name: functionName!, count: crashLimit });
    },
    lost(accountId, functionName) {
      lostThreads++;
      if (functionName !== undefined) functions.set(key(accountId, functionName), 'lost');
      lostByAccount.set(accountId, (lostByAccount.get(accountId) ?? 0) + 1);
    },
    crashed,
    workerEnded(running) {
      const suspects = new Set(running.map((r) => key(r.accountId, r.functionName)));
      const [only] = running;
      if (suspects.size === 1 && only !== undefined) crashed(only.accountId, only.functionName);
    },
    changed(accountId, functionName) {
      // Lifts the function's quarantine; its crash count stays, so an update cannot reset it (the next crash refuses it again).
      functions.delete(key(accountId, functionName));
    },
    stats: () => ({
      lostThreads,
      workerCrashes,
      functions: functions.size,
      accounts: new Set([...[...lostByAccount].filter(([, n]) => n >= opts.accountLimit), ...[...crashesByAccount].filter(([, n]) => n >= accountCrashLimit)].map(([a]) => a)).size,
    }),
  };
}
