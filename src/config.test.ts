// Server configuration: defaults, and a bad value names its variable and what it accepts.
import { describe, expect, it } from 'vitest';
import { CONFIG_VARIABLES, configFromEnv, readConfig } from './config.ts';

describe('configFromEnv', () => {
  it('runs with no variables set, on defaults a user can start with', () => {
    const c = configFromEnv({});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 9070, region: 'us-east-1', eventLoopTarget: 0.7, metricsTenantLabelCap: 100, codeGraceSeconds: 600 });
    expect(c.executionSlots).toBeGreaterThanOrEqual(2);
  });

  it('reads numbers from their text', () => {
    expect(configFromEnv({ STRATUS_EVENT_LOOP_TARGET: '0.5', STRATUS_PORT: '0' })).toMatchObject({ eventLoopTarget: 0.5, port: 0 });
    expect(configFromEnv({ STRATUS_EVENT_LOOP_TARGET: '1' }).eventLoopTarget).toBe(1);
  });

  it.each([
    ['STRATUS_EVENT_LOOP_TARGET', '0.01'],
    ['STRATUS_EVENT_LOOP_TARGET', '1.5'],
    ['STRATUS_EVENT_LOOP_TARGET', 'busy'],
    ['STRATUS_PORT', '70000'],
    ['STRATUS_EXECUTION_SLOTS', '0'],
    ['STRATUS_REGION', 'mars'],
    ['STRATUS_METRICS_TOKEN', 'short'],
    ['STRATUS_CODE_GRACE_SECONDS', '-1'],
  ])('refuses %s=%s with a message naming the variable', (name, value) => {
    expect(() => configFromEnv({ [name]: value })).toThrow(new RegExp(`^${name}: `));
  });

  it('takes a PostgreSQL URL, and treats an empty one as unset', () => {
    expect(configFromEnv({ STRATUS_DATABASE_URL: 'postgres://stratus:pw@db.internal:5433/stratus' }).databaseUrl).toBe('postgres://stratus:pw@db.internal:5433/stratus');
    expect(configFromEnv({ STRATUS_DATABASE_URL: '' }).databaseUrl).toBeUndefined();
    expect(configFromEnv({}).databaseUrl).toBeUndefined();
  });

  it.each([
    ['not a URL', 'hunter2-is-not-a-url', /is not a URL/],
    ['another scheme', 'mysql://root:hunter2@db/x', /must start with postgres:\/\//],
    ['without a host', 'postgres:///stratus?password=hunter2', /names no host/],
    ['a broken %-escape', 'postgres://root:hunter2%zz@db/x', /%-escapes/],
  ])('refuses a database URL that is %s, in one line that never shows its password', (_what, value, problem) => {
    let message = '';
    try {
      configFromEnv({ STRATUS_DATABASE_URL: value });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^STRATUS_DATABASE_URL: /);
    expect(message).toMatch(problem);
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain('\n');
  });
});

describe('readConfig', () => {
  it('holds values given directly to the rules of their variables', () => {
    expect(() => readConfig({}, { port: 70_000 })).toThrow(/^STRATUS_PORT: /);
    expect(() => readConfig({}, { maxEnvironments: 0 })).toThrow(/^STRATUS_MAX_ENVIRONMENTS: /);
    expect(readConfig({ STRATUS_PORT: '81' }, { port: 82 }).port).toBe(82);
  });

  it('gives every module’s settings, each read once', () => {
    const c = readConfig({});
    expect(c).toMatchObject({ keepAliveSeconds: 600, bodyMbPerKey: 80, codeGraceSeconds: 600, host: '127.0.0.1' });
    expect(new Set(CONFIG_VARIABLES).size).toBe(CONFIG_VARIABLES.length);
  });
});
