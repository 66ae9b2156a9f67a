/** @module Resolves which server the CLI talks to and in which region it signs: flags, then env, then defaults. */
import { CliError } from './errors.ts';

export const DEFAULT_ENDPOINT = 'http://127.0.0.1:9070';
export const DEFAULT_REGION = 'us-east-1';

/** Options every API command accepts (declared once on the root program). */
export interface GlobalOptions {
  endpoint?: string;
  profile?: string;
  region?: string;
}

/** `--endpoint`, then STRATUS_ENDPOINT, then the local default; validated so typos fail early. */
export function resolveEndpoint(flag: string | undefined, env: NodeJS.ProcessEnv): URL {
  const raw = flag || env.STRATUS_ENDPOINT || DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new CliError(`endpoint "${raw}" is not a URL; use a form like ${DEFAULT_ENDPOINT}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new CliError(`endpoint "${raw}" must start with http:// or https://`);
  }
  return url;
}

/** `--region`, then STRATUS_REGION, then AWS_REGION, then us-east-1 (the server's default too). */
export function resolveRegion(flag: string | undefined, env: NodeJS.ProcessEnv): string {
  return flag || env.STRATUS_REGION || env.AWS_REGION || DEFAULT_REGION;
}

/** The endpoint as people write it: no trailing slash for a bare origin. */
export function displayEndpoint(url: URL): string {
  return url.pathname === '/' ? url.origin : url.href;
}
