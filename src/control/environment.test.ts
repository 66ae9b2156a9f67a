// Environment variables are checked as Lambda checks them: its name pattern, and 4 KB of JSON in UTF-8 bytes.
import { describe, expect, it } from 'vitest';
import { checkEnvironment } from './environment.ts';

describe('checkEnvironment', () => {
  it('accepts names of two or more letters, digits and _ starting with a letter, up to 4096 bytes', () => {
    expect(() => checkEnvironment({})).not.toThrow();
    expect(() => checkEnvironment({ AB: '', a_1: 'x', Z9: 'y' })).not.toThrow();
    expect(() => checkEnvironment({ V: 'x' })).toThrow(/name 'V' is not valid/);
    expect(() => checkEnvironment({ XY: 'x'.repeat(4096 - 9) })).not.toThrow();
  });

  it('measures bytes, not characters, and never quotes a value', () => {
    // {"EURO":"…"} is 11 bytes of JSON around 1363 three-byte characters: 1374 characters, 4100 bytes.
    const vars = { EURO: '€'.repeat(1363) };
    expect(JSON.stringify(vars).length).toBe(1374);
    expect(() => checkEnvironment(vars)).toThrow(/String measured: 4100 bytes/);
    try {
      checkEnvironment(vars);
    } catch (err) {
      expect((err as Error).message).not.toContain('€');
    }
  });
});
