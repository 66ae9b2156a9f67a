import { describe, expect, it } from 'vitest';
import { serveInvocation } from './serve.ts';

describe('serveInvocation', () => {
  it('runs src/main.ts with --no-node-snapshot and tsx, passing the flags as STRATUS_* env vars', () => {
    const { entry, args, env } = serveInvocation({ port: '8080', host: '0.0.0.0', dataDir: '/var/lib/stratus' }, { KEEP: '1' });
    expect(entry).toMatch(/src[/\\]main\.ts$/);
    expect(args[0]).toBe('--no-node-snapshot');
    expect(args[1]).toBe('--import');
    expect(args[2]).toMatch(/^file:.*tsx/);
    expect(args[3]).toBe(entry);
    expect(env).toEqual({ KEEP: '1', STRATUS_PORT: '8080', STRATUS_HOST: '0.0.0.0', STRATUS_DATA_DIR: '/var/lib/stratus' });
  });

  it('leaves the server defaults alone when no flag is given, and rejects a bad port', () => {
    expect(serveInvocation({}, { STRATUS_PORT: '9999' }).env).toEqual({ STRATUS_PORT: '9999' });
    expect(() => serveInvocation({ port: '70000' }, {})).toThrow(/from 0 to 65535/);
    expect(() => serveInvocation({ port: 'http' }, {})).toThrow(/must be a whole number/);
  });
});
