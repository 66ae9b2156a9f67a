/**
 * @module Where a Stratus server started on this machine says which port it listens on and where its
 * admin credentials file is, so that the CLI, talking to that port, uses that file without being told.
 *
 * One small JSON file per port in a folder of the user's own (mode 0700), written by the server's
 * entry point when it starts and removed when it stops; a record left by a server that was killed
 * names a process that is gone, and is ignored. Only the user who started the server can read
 * the record or the credentials file it names, as before.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';

export interface LocalServer {
  port: number;
  url: string;
  /** Absolute path of the admin credentials file (AWS shared-credentials format, profile `stratus`). */
  credentialsFile: string;
  pid: number;
}

/** `$XDG_STATE_HOME/stratus/servers`, by default `~/.local/state/stratus/servers`. */
export function localServersDir(env: NodeJS.ProcessEnv, home: string): string {
  const state = env.XDG_STATE_HOME && isAbsolute(env.XDG_STATE_HOME) ? env.XDG_STATE_HOME : join(home, '.local', 'state');
  return join(state, 'stratus', 'servers');
}

/** Records a running server; returns the function that removes the record (only while it is still this server's). */
export function recordLocalServer(dir: string, server: LocalServer): () => void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, `${server.port}.json`);
  const temporary = `${file}.${server.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(server)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
  return () => {
    // A later server on the same port may have replaced the record: leave that one alone.
    if (readRecord(file)?.pid === server.pid) rmSync(file, { force: true });
  };
}

/** The running server recorded for the port of `endpoint`, when the endpoint is this machine (a loopback address). */
export function findLocalServer(dir: string, endpoint: URL): LocalServer | undefined {
  if (!isLoopback(endpoint.hostname)) return undefined;
  const port = Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80));
  const record = readRecord(join(dir, `${port}.json`));
  if (record === undefined || record.port !== port || !isRunning(record.pid)) return undefined;
  return record;
}

function readRecord(file: string): LocalServer | undefined {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalServer>;
    const valid = typeof value.port === 'number' && typeof value.pid === 'number' && typeof value.url === 'string' && typeof value.credentialsFile === 'string';
    return valid ? (value as LocalServer) : undefined;
  } catch {
    return undefined;
  }
}

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname);
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone. EPERM: the number now belongs to another user's process, so the server (ours) is gone too.
    return false;
  }
}
