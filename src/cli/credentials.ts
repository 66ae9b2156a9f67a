/**
 * @module Finds the CLI's access keys: environment variables or a profile of an AWS shared-credentials file.
 * The INI reader is written by hand because the format is tiny and the AWS SDK's loader would pull
 * the whole SDK credential chain (SSO, IMDS, process providers) into a CLI that needs none of it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findLocalServer, localServersDir } from '../shared/local-servers.ts';
import { displayEndpoint } from './config.ts';
import { CliError } from './errors.ts';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** Everything resolution depends on, injected so tests need no real home directory. */
export interface CredentialsContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  home: string;
  /** Value of `--profile`, when given. */
  profile?: string;
  /** The server the keys are for: a server on this machine may have recorded where its own are. */
  endpoint?: URL;
}

export const DEFAULT_PROFILE = 'stratus';

/** A parsed shared-credentials file: profile name to its lower-cased keys. */
export type ProfileMap = Map<string, Map<string, string>>;

/**
 * Parses the shared-credentials INI format: `[profile]` sections of `key = value` lines,
 * `#` and `;` comment lines. Sections written as `[profile name]` (the config-file spelling)
 * are accepted too, since people copy between the two files.
 */
export function parseCredentialsFile(text: string): ProfileMap {
  const profiles: ProfileMap = new Map();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (section) {
      const name = section[1]!;
      current = profiles.get(name) ?? new Map();
      profiles.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    // Lines outside any section, or without `=`, carry nothing we can use; the AWS tools skip them too.
    if (current === undefined || eq <= 0) continue;
    current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return profiles;
}

/** The profile name in effect: `--profile`, then AWS_PROFILE, then `stratus`. */
export function profileName(ctx: CredentialsContext): string {
  return ctx.profile || ctx.env.AWS_PROFILE || DEFAULT_PROFILE;
}

/**
 * The credentials file in effect: AWS_SHARED_CREDENTIALS_FILE; else, for the `stratus` profile and
 * an endpoint on this machine, the admin credentials file of the server that runs there (it
 * records where that is when it starts, wherever its data folder is); else `./.stratus/credentials`
 * (written by a server started in this directory) when it exists; else `~/.aws/credentials`.
 */
export function credentialsFilePath(ctx: CredentialsContext): string {
  const explicit = ctx.env.AWS_SHARED_CREDENTIALS_FILE;
  if (explicit) return resolve(ctx.cwd, explicit);
  // The server's file holds its admin key under `stratus` only; another profile is looked up where people keep theirs.
  if (ctx.endpoint && profileName(ctx) === DEFAULT_PROFILE) {
    const server = findLocalServer(localServersDir(ctx.env, ctx.home), ctx.endpoint);
    if (server && existsSync(server.credentialsFile)) return server.credentialsFile;
  }
  const local = join(ctx.cwd, '.stratus', 'credentials');
  if (existsSync(local)) return local;
  return join(ctx.home, '.aws', 'credentials');
}

/** Picks one profile's keys out of a parsed file, with an error that lists what is there. */
export function credentialsFromProfile(profiles: ProfileMap, profile: string, file: string): Credentials {
  const keys = profiles.get(profile);
  if (keys === undefined) {
    const known = [...profiles.keys()];
    const listing = known.length > 0 ? `profiles there: ${known.join(', ')}` : 'it has no profiles';
    throw new CliError(`profile "${profile}" not found in ${file} (${listing}); choose one with --profile or AWS_PROFILE`);
  }
  const accessKeyId = keys.get('aws_access_key_id');
  const secretAccessKey = keys.get('aws_secret_access_key');
  if (!accessKeyId || !secretAccessKey) {
    throw new CliError(`profile "${profile}" in ${file} needs both aws_access_key_id and aws_secret_access_key`);
  }
  const sessionToken = keys.get('aws_session_token');
  return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
}

/**
 * Resolves the keys to sign with. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY win when both are
 * set (as the issue asks, so a script can override whatever file is lying around); otherwise the
 * profile from the credentials file is used.
 */
export function resolveCredentials(ctx: CredentialsContext): Credentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = ctx.env;
  if (accessKeyId && secretAccessKey) {
    return sessionToken ? { accessKeyId, secretAccessKey, sessionToken } : { accessKeyId, secretAccessKey };
  }
  const file = credentialsFilePath(ctx);
  const profile = profileName(ctx);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new CliError(`cannot read credentials file ${file}: ${(err as Error).message}`);
    }
    const where = ctx.endpoint ? ` for ${displayEndpoint(ctx.endpoint)}` : '';
    throw new CliError(
      `no credentials${where}: ${file} does not exist and AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are not set; ` +
        `set AWS_SHARED_CREDENTIALS_FILE to the credentials file the server printed when it started (<data-dir>/credentials, profile ${DEFAULT_PROFILE}), ` +
        `or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (\`stratus accounts create\` makes keys for a new account)`,
    );
  }
  return credentialsFromProfile(parseCredentialsFile(text), profile, file);
}
