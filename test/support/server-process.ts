/** @module Test support: the real server as a child process, started as `npm start` starts it, that a test can SIGKILL and start again on the same data folder. */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const LISTENING = /Stratus is listening on (http:\/\/\S+)/;

export interface ServerProcess {
  url: string;
  pid: number;
  /** Ends the process with SIGKILL (no shutdown code runs) and resolves once it has exited. */
  kill(): Promise<void>;
  /** What the process wrote, for a failure message. */
  output(): string;
}

export interface StartProcessOptions {
  dataDir: string;
  rootCredentials: { accessKeyId: string; secretAccessKey: string };
  /** Further STRATUS_* settings, e.g. the store (STRATUS_DATABASE_URL). */
  env?: Record<string, string>;
}

/** Starts `src/main.ts` on a port the OS picks, and resolves when it says where it listens. */
export function startServerProcess(options: StartProcessOptions): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--no-node-snapshot', '--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      STRATUS_HOST: '127.0.0.1',
      STRATUS_PORT: '0',
      STRATUS_DATA_DIR: options.dataDir,
      STRATUS_ROOT_ACCESS_KEY_ID: options.rootCredentials.accessKeyId,
      STRATUS_ROOT_SECRET_ACCESS_KEY: options.rootCredentials.secretAccessKey,
      STRATUS_LOG_LEVEL: 'warn',
      // Where the server records itself for the CLI: inside the test's folder, not the real home.
      XDG_STATE_HOME: path.join(options.dataDir, 'xdg-state'),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output = (output + chunk.toString('utf8')).slice(-20_000);
      const m = LISTENING.exec(output);
      if (m) {
        child.stdout!.off('data', onData);
        child.stdout!.on('data', (c: Buffer) => void (output = (output + c.toString('utf8')).slice(-20_000)));
        resolve(handle(child, m[1]!, exited, () => output));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => void (output = (output + c.toString('utf8')).slice(-20_000)));
    child.once('exit', (code, signal) => reject(new Error(`the server exited before listening (code ${code}, signal ${signal}):\n${output}`)));
  });
}

function handle(child: ChildProcess, url: string, exited: Promise<void>, output: () => string): ServerProcess {
  return {
    url,
    pid: child.pid!,
    output,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
