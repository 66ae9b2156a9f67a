// The query parser decodes as Fastify's default does, never throws, and a repeated name becomes a 400 naming it.
import { describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { isStratusError } from '../shared/errors.ts';
import { parseQuery, refuseRepeatedParameters } from './query.ts';

const refusal = async (text: string) =>
  refuseRepeatedParameters({ query: parseQuery(text) } as unknown as FastifyRequest).then(
    () => undefined,
    (err: unknown) => err,
  );

describe('query strings', () => {
  it('decodes one value per name as Fastify does', () => {
    expect({ ...parseQuery('Qualifier=1&Marker=a+b%2Fc&Empty&bad=%zz') }).toEqual({ Qualifier: '1', Marker: 'a b/c', Empty: '', bad: '%zz' });
    expect({ ...parseQuery('') }).toEqual({});
    expect(Object.getPrototypeOf(parseQuery('__proto__=1'))).toBe(null);
  });

  it('refuses a repeated parameter with InvalidParameterValue, naming it and not echoing values', async () => {
    const err = await refusal('Qualifier=1&Qualifier=secret-value');
    expect(isStratusError(err) && err.code).toBe('REQUEST_INVALID_PARAMETER');
    expect((err as Error).message).toMatch(/^Qualifier: is given more than once.*send each query parameter once/);
    expect((err as Error).message).not.toContain('secret-value');
    expect(await refusal('a=1&b=2')).toBeUndefined();
  });

  it('keeps a huge or empty repeated name readable', async () => {
    expect(((await refusal(`${'x'.repeat(5000)}=1&${'x'.repeat(5000)}=2`)) as Error).message.length).toBeLessThan(300);
    expect(((await refusal('=1&=2')) as Error).message).toMatch(/without a name/);
  });
});
