// Server configuration: defaults, and a bad value names its variable and what it accepts.
import { describe, expect, it } from 'vitest';
import { configFromEnv } from './config.ts';

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
});
