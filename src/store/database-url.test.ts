// STRATUS_DATABASE_URL as shown to people: problems named without quoting the URL, the database
// named without its password, and the password cut out of any text, written or %-decoded.
import { describe, expect, it } from 'vitest';
import { databaseUrlProblem, displayDatabaseUrl, withoutPassword } from './database-url.ts';
import { isTransientStoreError, startupMessage } from './postgres/errors.postgres.ts';

const URL_WITH_SECRET = 'postgres://stratus:p%40ss%2Fw0rd@db.internal:6432/prod?sslmode=require';

describe('database URL', () => {
  it('accepts postgres:// and postgresql:// URLs with a host', () => {
    expect(databaseUrlProblem(URL_WITH_SECRET)).toBeUndefined();
    expect(databaseUrlProblem('postgresql://db/x')).toBeUndefined();
    expect(databaseUrlProblem('postgres://u@127.0.0.1/x?host=/var/run/postgresql')).toBeUndefined();
  });

  it('is shown with user, host, port and database only', () => {
    expect(displayDatabaseUrl(URL_WITH_SECRET)).toBe('postgres://stratus@db.internal:6432/prod');
  });

  it('has its password cut out of any text, as written and as decoded', () => {
    expect(withoutPassword('auth p%40ss%2Fw0rd or p@ss/w0rd failed', URL_WITH_SECRET)).toBe('auth [redacted] or [redacted] failed');
    expect(withoutPassword('nothing secret', 'postgres://u@h/d')).toBe('nothing secret');
  });

  it('makes a start-up failure one line naming the variable, whatever the driver said', () => {
    const err = Object.assign(new Error('could not accept\nSSL for p@ss/w0rd'), { code: 'XX000' });
    const line = startupMessage(err, URL_WITH_SECRET);
    expect(line).toBe('STRATUS_DATABASE_URL: cannot open postgres://stratus@db.internal:6432/prod: could not accept SSL for [redacted]');
  });
});

describe('transient store errors', () => {
  it.each([
    ['a terminated backend', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['a socket closed under the driver', new Error('Connection terminated unexpectedly')],
    ['a lost serialization race', Object.assign(new Error('could not serialize access'), { code: '40001' })],
  ])('count %s as retryable', (_what, err) => {
    expect(isTransientStoreError(err)).toBe(true);
  });

  it.each([
    ['a unique violation', Object.assign(new Error('duplicate key value'), { code: '23505' })],
    ['a syntax error', Object.assign(new Error('syntax error at or near'), { code: '42601' })],
    ['a plain bug', new TypeError('x is undefined')],
  ])('do not count %s as retryable', (_what, err) => {
    expect(isTransientStoreError(err)).toBe(false);
  });
});
