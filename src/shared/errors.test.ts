// Every catalogued error code is documented, with the status the catalogue gives it.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isStratusError, stratusError } from './errors.ts';

describe('error catalogue', () => {
  const doc = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it.each(Object.entries(ERROR_CODES))('documents %s with its status', (code, info) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${info.status} \\|`));
  });

  it('recognises its errors by brand, not by class identity', () => {
    const err = stratusError('FUNCTION_NOT_FOUND', 'x');
    expect(isStratusError(err)).toBe(true);
    expect(isStratusError({ ...err })).toBe(true);
    expect(isStratusError(new Error('x'))).toBe(false);
    expect(isStratusError(null)).toBe(false);
    expect(err.status).toBe(404);
    expect(err.kind).toBe('user');
  });
});
