// The error catalogue: documented both ways, every template renders, system errors show clients no internals.
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isStratusError, renderTemplate, stratusError, templateOf, type ErrorId } from './errors.ts';

/** Every id a throw site can name: `CODE` for a code with one message, `CODE.situation` otherwise. */
const ids = Object.entries(ERROR_CODES).flatMap(([code, spec]) =>
  typeof spec.message === 'string' ? [code] : Object.keys(spec.message).map((situation) => `${code}.${situation}`),
);
const placeholders = (template: string) => [...template.matchAll(/\{([^}]*)\}/g)].map((m) => m[1]!);

describe('error catalogue', () => {
  const doc = fs.readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');

  it.each(Object.entries(ERROR_CODES))('documents %s with its status', (code, info) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${info.status} \\|`));
  });

  it('documents no code that the catalogue lacks', () => {
    const documented = [...doc.matchAll(/^\| `([A-Z][A-Z0-9_]+)` \| \d{3} \|/gm)].map((m) => m[1]!);
    expect(documented.length).toBeGreaterThanOrEqual(Object.keys(ERROR_CODES).length);
    expect(documented.filter((code) => !Object.hasOwn(ERROR_CODES, code))).toEqual([]);
  });

  it.each(ids)('renders %s with every argument it names', (id) => {
    const template = templateOf(id)!;
    const names = placeholders(template);
    // Placeholders are plain names, distinct from the options a throw site may also pass.
    for (const name of names) expect(name).toMatch(/^[a-z][A-Za-z0-9]*$/);
    expect(names).not.toContain('cause');
    expect(names).not.toContain('details');
    expect(names).not.toContain('retryAfterSeconds');
    const args = Object.fromEntries(names.map((name) => [name, `<${name}>`]));
    const message = renderTemplate(template, args);
    for (const name of names) expect(message).toContain(`<${name}>`);
    expect(message).not.toMatch(/\{\w+\}/);
  });

  it('fills a throw site’s arguments into the one wording of its code', () => {
    const err = stratusError('FUNCTION_NOT_FOUND', { arn: 'arn:aws:lambda:us-east-1:000000000001:function:nope' });
    expect(err.message).toBe('Function not found: arn:aws:lambda:us-east-1:000000000001:function:nope');
    const limited = stratusError('TENANT_LIMIT_EXCEEDED.rate', { tenant: 't1', rps: 2, name: 'shop', retryAfterSeconds: 3 });
    expect(limited.message).toBe('Rate Exceeded: tenant t1 is over 2 requests per second (MaxRequestsPerSecond) for shop. Retry later.');
    expect(limited).toMatchObject({ code: 'TENANT_LIMIT_EXCEEDED', status: 429, retryable: true, retryAfterSeconds: 3 });
  });

  it('gives a retryable code its usual wait unless the throw site knows better', () => {
    expect(stratusError('INVOKE_CAPACITY_EXHAUSTED', { max: 1, waitMs: 10 }).retryAfterSeconds).toBe(1);
    expect(stratusError('REQUEST_THROTTLED.nodeBuilds', { seconds: 30, retryAfterSeconds: 5 }).retryAfterSeconds).toBe(5);
    expect(stratusError('FUNCTION_EXISTS', { name: 'f' })).toMatchObject({ retryable: false, retryAfterSeconds: undefined });
  });

  it('argument values are not read as placeholders', () => {
    expect(stratusError('FUNCTION_EXISTS', { name: '{name}{cause}' }).message).toBe('Function already exist: {name}{cause}');
  });

  it('refuses an id the catalogue does not have', () => {
    expect(() => stratusError('FUNCTION_NOT_FOUND.gone' as ErrorId, { arn: 'x' } as never)).toThrow(/not in the error catalogue/);
    expect(templateOf('NO_SUCH_CODE')).toBeUndefined();
  });

  it('shows clients a system error’s catalogued stand-in, never its message or cause', () => {
    const err = stratusError('INTERNAL.bundleMissing', { sha256: 'deadbeef', name: 'billing', cause: new Error('SQLITE_CORRUPT at /var/lib/stratus/db') });
    expect(err.message).toContain('deadbeef');
    expect(err.kind).toBe('system');
    expect(err.clientMessage).toBe('Stratus hit an internal error; the request can be retried. The server log has the details.');
    expect(err.clientMessage).not.toMatch(/deadbeef|billing|SQLITE|\/var\//);
    const user = stratusError('ALIAS_NOT_FOUND', { arn: 'arn:x' });
    expect(user.clientMessage).toBe(user.message);
  });

  it('gives every system code a client message', () => {
    const system = Object.entries(ERROR_CODES).filter(([, spec]) => spec.kind === 'system');
    expect(system.length).toBeGreaterThan(0);
    for (const [, spec] of system) expect('clientMessage' in spec && spec.clientMessage).toBeTruthy();
  });

  it('recognises its errors by brand, not by class identity', () => {
    const err = stratusError('FUNCTION_NOT_FOUND', { arn: 'x' });
    expect(isStratusError(err)).toBe(true);
    expect(isStratusError({ ...err })).toBe(true);
    expect(isStratusError(new Error('x'))).toBe(false);
    expect(isStratusError(null)).toBe(false);
    expect(err.status).toBe(404);
    expect(err.kind).toBe('user');
  });
});
