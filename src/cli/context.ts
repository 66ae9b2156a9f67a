/** @module What every command gets: output streams, the process environment, and an API client built from the global flags. */
import { homedir } from 'node:os';
import type { Command } from 'commander';
import { StratusClient } from './client.ts';
import { resolveEndpoint, resolveRegion, type GlobalOptions } from './config.ts';
import { resolveCredentials } from './credentials.ts';
import { LambdaApi } from './lambda-api.ts';
import type { Io } from './output.ts';

export interface CliEnvironment {
  io: Io;
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
  fetch?: typeof fetch;
  /** Monotonic milliseconds, for progress timing; tests pass a clock they move by hand. */
  now?: () => number;
  /** Exit code a command wants besides success/failure (`serve` passes on the server's code). */
  status: { exitCode: number };
}

export interface CommandContext extends CliEnvironment {
  /** A client for the server chosen by --endpoint / STRATUS_ENDPOINT; credentials are read on first use. */
  api(): LambdaApi;
}

/** The real process: its env, cwd, home and standard streams. */
export function processEnvironment(io: Io): CliEnvironment {
  return { io, env: process.env, cwd: process.cwd(), home: homedir(), status: { exitCode: 0 } };
}

/** Builds the context for one command from the options of the command and every parent. */
export function contextFor(command: Command, base: CliEnvironment): CommandContext {
  const globals = command.optsWithGlobals<GlobalOptions>();
  return {
    ...base,
    api() {
      const endpoint = resolveEndpoint(globals.endpoint, base.env);
      const client = new StratusClient({
        endpoint,
        region: resolveRegion(globals.region, base.env),
        credentials: () => resolveCredentials({ env: base.env, cwd: base.cwd, home: base.home, profile: globals.profile, endpoint }),
        fetch: base.fetch,
      });
      return new LambdaApi(client);
    },
  };
}
