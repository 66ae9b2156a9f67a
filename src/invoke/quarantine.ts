/**
 * @module Functions and accounts whose code stopped an engine in a way it could not recover from
 * (a step it could not stop, whose thread keeps a core busy until the process ends): refused on
 * this node, so that no account can take the node's cores one invocation at a time. A function is
 * let out when it is deployed again; an account that lost `accountLimit` threads stays in until the
 * node restarts. Node-local and in memory, like the threads it accounts for.
 */
import { stratusError } from '../shared/errors.ts';

export interface Quarantine {
  /** Throws a user error when the function (if named), or its whole account, is quarantined on this node. */
  check(accountId: string, functionName?: string): void;
  /** An invocation or init of this function (unnamed: a deploy check) lost an engine thread. */
  lost(accountId: string, functionName?: string): void;
  /** The function changed (new code or configuration): it gets another chance; its account's count stays. */
  changed(accountId: string, functionName: string): void;
  stats(): { lostThreads: number; functions: number; accounts: number };
}

export function createQuarantine(opts: { accountLimit: number }): Quarantine {
  const functions = new Set<string>();
  const lostByAccount = new Map<string, number>();
  let lostThreads = 0;
  const key = (accountId: string, functionName: string) => `${accountId}\u0000${functionName}`;
  return {
    check(accountId, functionName) {
      const lost = lostByAccount.get(accountId) ?? 0;
      if (lost >= opts.accountLimit) {
        throw stratusError(
          'ACCOUNT_QUARANTINED',
          { count: lost },
        );
      }
      if (functionName !== undefined && functions.has(key(accountId, functionName))) {
        throw stratusError(
          'FUNCTION_QUARANTINED',
          { name: functionName },
        );
      }
    },
    lost(accountId, functionName) {
      lostThreads++;
      if (functionName !== undefined) functions.add(key(accountId, functionName));
      lostByAccount.set(accountId, (lostByAccount.get(accountId) ?? 0) + 1);
    },
    changed(accountId, functionName) {
      functions.delete(key(accountId, functionName));
    },
    stats: () => ({ lostThreads, functions: functions.size, accounts: [...lostByAccount.values()].filter((n) => n >= opts.accountLimit).length }),
  };
}
