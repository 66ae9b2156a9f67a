/** @module Tests of Handler parsing and of finding the handler's file in a package. */
import { describe, expect, it } from 'vitest';
import { isStratusError } from '../shared/errors.ts';
import { findHandlerFile, parseHandler } from './handler.ts';

function parseError(handler: string): string {
  try {
    parseHandler(handler);
  } catch (error) {
    if (isStratusError(error) && error.code === 'REQUEST_INVALID_PARAMETER') return error.message;
    throw error;
  }
  throw new Error(`"${handler}" was accepted`);
}

describe('parseHandler', () => {
  it('splits at the last dot; the file part may contain folders', () => {
    expect(parseHandler('index.handler')).toEqual({ file: 'index', exportName: 'handler' });
    expect(parseHandler('src/api/users.list')).toEqual({ file: 'src/api/users', exportName: 'list' });
    expect(parseHandler('lib/my.module.main')).toEqual({ file: 'lib/my.module', exportName: 'main' });
  });

  it('accepts exactly 128 characters and refuses 129', () => {
    expect(parseHandler('f'.repeat(120) + '.handler').exportName).toBe('handler');
    expect(parseError('f'.repeat(121) + '.handler')).toContain('at most 128 characters');
  });

  it('refuses handlers Lambda refuses or that cannot name a file in the package', () => {
    expect(parseError('')).toContain('is required');
    expect(parseError('index')).toContain('file and an export separated by a dot');
    expect(parseError('index.')).toContain('file and an export');
    expect(parseError('.handler')).toContain('file and an export');
    expect(parseError('index .handler')).toContain('whitespace');
    expect(parseError('index.\thandler')).toContain('whitespace');
    expect(parseError('src.v2/index')).toContain('export name comes last');
    expect(parseError('/var/task/index.handler')).toContain('not absolute');
    expect(parseError('../index.handler')).toContain('".."');
    expect(parseError('src/./index.handler')).toContain('".."');
    expect(parseError('src//index.handler')).toContain('empty folder or file name');
    expect(parseError('src\\index.handler')).toContain('use "/"');
  });
});

describe('findHandlerFile', () => {
  const parsed = parseHandler('src/index.handler');

  it('tries .js, .mjs, .cjs, .ts, .mts, .cts in that order', () => {
    expect(findHandlerFile(parsed, ['src/index.cts', 'src/index.ts', 'src/index.cjs'])).toBe('src/index.cjs');
    expect(findHandlerFile(parsed, ['src/index.mts', 'src/index.cts'])).toBe('src/index.mts');
  });

  it('does not match a handler file at another depth or with another extension', () => {
    expect(() => findHandlerFile(parsed, ['index.js', 'src/index.jsx', 'src/index'])).toThrow(/Cannot find the file for handler "src\/index.handler"/);
  });

  it('lists shallow files first and leaves dependencies out of the listing', () => {
    const paths = ['z/deep/a.js', 'node_modules/dep/index.js', 'b.js', ...Array.from({ length: 12 }, (_, i) => `lib/f${i}.js`)];
    expect(() => findHandlerFile(parsed, paths)).toThrow(/The zip has: b\.js, lib\/f0\.js, lib\/f1\.js, lib\/f10\.js, .*, lib\/f6\.js \(and 5 more\)\./);
  });
});
