import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findLocalServer, localServersDir, recordLocalServer, type LocalServer } from './local-servers.ts';

describe('local server records', () => {
  let dir: string;
  const server = (extra: Partial<LocalServer> = {}): LocalServer => ({
    port: 9070,
    url: 'http://127.0.0.1:9070',
    credentialsFile: '/data/stratus/credentials',
    pid: process.pid,
    ...extra,
  });
  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'stratus-local-')), 'servers');
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('lives under XDG_STATE_HOME when it is absolute, else under ~/.local/state', () => {
    expect(localServersDir({}, '/home/ada')).toBe('/home/ada/.local/state/stratus/servers');
    expect(localServersDir({ XDG_STATE_HOME: '/var/state' }, '/home/ada')).toBe('/var/state/stratus/servers');
    expect(localServersDir({ XDG_STATE_HOME: 'relative' }, '/home/ada')).toBe('/home/ada/.local/state/stratus/servers');
  });

  it('finds a running server by the port of a loopback endpoint, in a folder only its user can read', () => {
    recordLocalServer(dir, server());
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dir, '9070.json')).mode & 0o777).toBe(0o600);
    for (const endpoint of ['http://127.0.0.1:9070', 'http://localhost:9070/', 'http://[::1]:9070', 'http://127.0.0.2:9070']) {
      expect(findLocalServer(dir, new URL(endpoint))?.credentialsFile).toBe('/data/stratus/credentials');
    }
  });

  it('ignores another port, a remote endpoint, and a record whose process is gone', () => {
    recordLocalServer(dir, server());
    expect(findLocalServer(dir, new URL('http://127.0.0.1:9071'))).toBeUndefined();
    expect(findLocalServer(dir, new URL('http://stratus.example.com:9070'))).toBeUndefined();
    expect(findLocalServer(dir, new URL('http://10.0.0.5:9070'))).toBeUndefined();

    // A process that has exited: its pid is free (or someone else's).
    const ended = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
    recordLocalServer(dir, server({ pid: Number(ended.stdout.trim()) }));
    expect(findLocalServer(dir, new URL('http://127.0.0.1:9070'))).toBeUndefined();

    writeFileSync(join(dir, '9070.json'), 'not json');
    expect(findLocalServer(dir, new URL('http://127.0.0.1:9070'))).toBeUndefined();
  });

  it('removes its record when it stops, unless a later server on the same port has replaced it', () => {
    const forget = recordLocalServer(dir, server());
    forget();
    expect(existsSync(join(dir, '9070.json'))).toBe(false);

    const forgetOld = recordLocalServer(dir, server({ pid: 1 }));
    recordLocalServer(dir, server({ credentialsFile: '/newer/credentials' }));
    forgetOld();
    expect(JSON.parse(readFileSync(join(dir, '9070.json'), 'utf8'))).toMatchObject({ credentialsFile: '/newer/credentials' });
  });
});
