import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvPairs, parseInteger, parseWeights, readPayload } from './options.ts';

describe('parseEnvPairs', () => {
  it('splits on the first "=", keeps empty values and lets a later repeat win', () => {
    expect(parseEnvPairs(['AB=1', 'URL=http://x?a=b', 'EMPTY=', 'AB=2'])).toEqual({ AB: '2', URL: 'http://x?a=b', EMPTY: '' });
  });

  it.each([
    ['NOVALUE', /must have the form KEY=VALUE/],
    ['=value', /has no name before "="/],
    ['1ABC=x', /"1ABC" is not a valid variable name/],
    ['MY-VAR=x', /"MY-VAR" is not a valid variable name/],
    ['A=x', /"A" is not a valid variable name \(at least two/],
    [`BIG=${'x'.repeat(4090)}`, /4100 bytes .*4096-byte \(4 KB\) limit/],
  ])('rejects %s with a clear message', (pair, message) => {
    expect(() => parseEnvPairs([pair])).toThrow(message);
  });
});

describe('parseWeights', () => {
  it('maps versions to weights', () => {
    expect(parseWeights(['2=0.1', '3=0'])).toEqual({ '2': 0.1, '3': 0 });
  });

  it('rejects bad forms and out-of-range weights', () => {
    expect(() => parseWeights(['two=0.1'])).toThrow(/must have the form VERSION=WEIGHT/);
    expect(() => parseWeights(['2=1.5'])).toThrow(/from 0 to 1/);
    expect(() => parseWeights(['2=abc'])).toThrow(/from 0 to 1/);
  });
});

describe('parseInteger', () => {
  it('accepts whole numbers only', () => {
    expect(parseInteger('--memory', '256')).toBe(256);
    expect(() => parseInteger('--memory', '256MB')).toThrow('--memory "256MB" must be a whole number');
    expect(() => parseInteger('--timeout', '-3')).toThrow(/whole number/);
  });
});

describe('readPayload', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'stratus-payload-'));
    writeFileSync(join(dir, 'event.json'), '{"from":"file"}\n');
    writeFileSync(join(dir, 'bad.json'), '{"from":');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to {} and passes inline JSON through unchanged', async () => {
    expect(await readPayload(undefined, dir)).toBe('{}');
    expect(await readPayload('{ "a": 1 }', dir)).toBe('{ "a": 1 }');
  });

  it('reads @file relative to the working directory, and @- from standard input', async () => {
    expect(await readPayload('@event.json', dir)).toBe('{"from":"file"}\n');
    expect(await readPayload(`@${join(dir, 'event.json')}`, '/')).toBe('{"from":"file"}\n');
    expect(await readPayload('@-', dir, async () => '[1,2]')).toBe('[1,2]');
  });

  it('explains a missing file, an empty @ and invalid JSON', async () => {
    await expect(readPayload('@nope.json', dir)).rejects.toThrow(`payload file ${join(dir, 'nope.json')} does not exist`);
    await expect(readPayload('@', dir)).rejects.toThrow(/needs a file name after @/);
    await expect(readPayload('@bad.json', dir)).rejects.toThrow(/payload file .*bad\.json is not valid JSON/);
    await expect(readPayload('{oops}', dir)).rejects.toThrow(/^--payload is not valid JSON/);
  });
});
