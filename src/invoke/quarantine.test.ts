/** @module Tests of the quarantine: a function is refused after it lost an engine thread until it changes; an account past its limit is refused for good. */
import { describe, expect, it } from 'vitest';
import { isStratusError } from '../shared/errors.ts';
import { createQuarantine } from './quarantine.ts';

const codeOf = (fn: () => void) => {
  try {
    fn();
    return 'allowed';
  } catch (err) {
    return isStratusError(err) ? err.code : String(err);
  }
};

describe('quarantine', () => {
  it('refuses a function that lost a thread until it changes, and its account past the limit', () => {
    const q = createQuarantine({ accountLimit: 2 });
    q.lost('a', 'f');
    expect(codeOf(() => q.check('a', 'f'))).toBe('FUNCTION_QUARANTINED');
    expect(codeOf(() => q.check('a', 'g'))).toBe('allowed');
    expect(codeOf(() => q.check('a'))).toBe('allowed');
    q.changed('a', 'f');
    expect(codeOf(() => q.check('a', 'f'))).toBe('allowed');
    q.lost('a'); // a deploy check
    expect(codeOf(() => q.check('a', 'g'))).toBe('ACCOUNT_QUARANTINED');
    expect(codeOf(() => q.check('a'))).toBe('ACCOUNT_QUARANTINED');
    q.changed('a', 'g');
    expect(codeOf(() => q.check('a', 'g'))).toBe('ACCOUNT_QUARANTINED');
    expect(codeOf(() => q.check('b', 'f'))).toBe('allowed');
    expect(q.stats()).toEqual({ lostThreads: 2, workerCrashes: 0, functions: 0, accounts: 1 });
  });

  it('refuses a function after its invocations were running when crashLimit workers ended, says why, and keeps the count across changes', () => {
    const q = createQuarantine({ accountLimit: 1, crashLimit: 2 });
    q.crashed('a', 'f');
    expect(codeOf(() => q.check('a', 'f'))).toBe('allowed');
    q.crashed('a', 'f');
    let message = '';
    try {
      q.check('a', 'f');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/engine worker process running it ended 2 times/);
    // Worker crashes are not lost threads: the account and its other functions keep being served.
    expect(codeOf(() => q.check('a', 'g'))).toBe('allowed');
    // An update lifts the quarantine but keeps the count: the next crash brings it back.
    q.changed('a', 'f');
    expect(codeOf(() => q.check('a', 'f'))).toBe('allowed');
    q.crashed('a', 'f');
    expect(codeOf(() => q.check('a', 'f'))).toBe('FUNCTION_QUARANTINED');
    expect(q.stats()).toEqual({ lostThreads: 0, workerCrashes: 3, functions: 1, accounts: 0 });
  });

  it('blames an ended worker only on its sole suspect: a function that shared the worker is not counted', () => {
    const q = createQuarantine({ accountLimit: 1, crashLimit: 1 });
    q.workerEnded([
      { accountId: 'a', functionName: 'f' },
      { accountId: 'b', functionName: 'g' },
    ]);
    expect(codeOf(() => q.check('a', 'f'))).toBe('allowed');
    expect(codeOf(() => q.check('b', 'g'))).toBe('allowed');
    q.workerEnded([]);
    q.workerEnded([
      { accountId: 'a', functionName: 'f' },
      { accountId: 'a', functionName: 'f' },
    ]);
    expect(codeOf(() => q.check('a', 'f'))).toBe('FUNCTION_QUARANTINED');
    expect(q.stats().workerCrashes).toBe(1);
  });

  it('refuses an account whose functions, together, were running when accountCrashLimit workers ended', () => {
    const q = createQuarantine({ accountLimit: 1, crashLimit: 3, accountCrashLimit: 4 });
    for (const fn of ['f1', 'f2', 'f3', 'f4']) q.crashed('a', fn);
    expect(codeOf(() => q.check('a', 'f5'))).toBe('ACCOUNT_QUARANTINED');
    expect(codeOf(() => q.check('a'))).toBe('ACCOUNT_QUARANTINED');
    expect(codeOf(() => q.check('b', 'f1'))).toBe('allowed');
    expect(q.stats().accounts).toBe(1);
  });
});
