/** @module `stratus serve`: run the server (src/main.ts) in a child Node process, forwarding signals and its exit code. */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import type { CliEnvironment } from '../context.ts';
import { CliError } from '../errors.ts';
import { parseInteger } from '../options.ts';
import { packageRoot } from '../package-root.ts';

interface ServeFlags {
  port?: string;
  host?: string;
  dataDir?: string;
}

const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function registerServe(program: Command, base: CliEnvironment): void {
  program
    .command('serve')
    .description('start the Stratus server in the foreground (Ctrl-C stops it)')
    .option('--port <port>', 'port to listen on (sets STRATUS_PORT)')
    .option('--host <host>', 'address to bind (sets STRATUS_HOST)')
    .option('--data-dir <dir>', 'where data and the admin credentials file live (sets STRATUS_DATA_DIR)')
    .action(async (flags: ServeFlags) => {
      base.status.exitCode = await serve(base, flags);
    });
}

/**
 * The child's command line and environment. The server runs in its own process because it needs
 * `--no-node-snapshot` (isolated-vm) and the CLI must never load isolated-vm itself. tsx is passed
 * as a resolved URL rather than the bare `tsx` so `--import` works from any working directory.
 */
export function serveInvocation(flags: ServeFlags, env: NodeJS.ProcessEnv): { entry: string; args: string[]; env: NodeJS.ProcessEnv } {
  const entry = fileURLToPath(new URL('src/main.ts', packageRoot()));
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  const childEnv: NodeJS.ProcessEnv = { ...env };
  if (flags.port !== undefined) {
    const port = parseInteger('--port', flags.port);
    if (port > 65535) throw new CliError(`--port "${flags.port}" must be from 0 to 65535`);
    childEnv.STRATUS_PORT = String(port);
  }
  if (flags.host !== undefined) childEnv.STRATUS_HOST = flags.host;
  if (flags.dataDir !== undefined) childEnv.STRATUS_DATA_DIR = flags.dataDir;
  return { entry, args: ['--no-node-snapshot', '--import', tsx, entry], env: childEnv };
}

async function serve(base: CliEnvironment, flags: ServeFlags): Promise<number> {
  const invocation = serveInvocation(flags, base.env);
  if (!existsSync(invocation.entry)) throw new CliError(`the server entry point ${invocation.entry} is missing; is this a complete Stratus checkout?`);

  const child = spawn(process.execPath, invocation.args, { stdio: 'inherit', env: invocation.env, cwd: base.cwd });
  // Ctrl-C in a terminal reaches the child directly too; forwarding covers `kill <cli pid>` and
  // process managers that signal only the process they started.
  const forward = (signal: NodeJS.Signals) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const handlers = FORWARDED_SIGNALS.map((signal) => [signal, forward(signal)] as const);
  for (const [signal, handler] of handlers) process.on(signal, handler);
  try {
    return await new Promise<number>((resolve, reject) => {
      child.once('error', (err) => reject(new CliError(`could not start the server: ${err.message}`)));
      child.once('exit', (code, signal) => {
        // Shell convention: death by signal N exits 128 + N.
        resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
      });
    });
  } finally {
    for (const [signal, handler] of handlers) process.off(signal, handler);
  }
}
