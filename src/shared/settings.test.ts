// A setting is read from its variable or given directly, meets one rule either way, and a bad value names its variable.
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { defineSettings } from './settings.ts';

const settings = defineSettings({
  port: { env: 'X_PORT', rule: z.coerce.number().int().min(0).max(65535).default(9070) },
  name: { env: 'X_NAME', rule: z.string().min(1).optional() },
});

describe('defineSettings', () => {
  it('lists its variables and keys', () => {
    expect(settings.variables).toEqual(['X_PORT', 'X_NAME']);
    expect(settings.keys).toEqual(['port', 'name']);
  });

  it('takes a given value over the variable, the variable over the default', () => {
    expect(settings.read({})).toEqual({ port: 9070, name: undefined });
    expect(settings.read({ X_PORT: '80', X_NAME: 'a' })).toEqual({ port: 80, name: 'a' });
    expect(settings.read({ X_PORT: '80' }, { port: 81 })).toEqual({ port: 81, name: undefined });
  });

  it('holds a given value to the same rule as the variable, naming the variable', () => {
    expect(() => settings.read({ X_PORT: '70000' })).toThrow(/^X_PORT: /);
    expect(() => settings.read({}, { port: -1 })).toThrow(/^X_PORT: /);
    expect(() => settings.read({}, { name: '' })).toThrow(/^X_NAME: /);
  });
});
