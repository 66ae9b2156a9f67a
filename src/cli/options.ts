/** @module Parsers for flag values (`--env K=V`, `--weight V=W`, numbers, `--payload @file`) with errors a person can act on. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ENV_MAX_BYTES, ENV_NAME, environmentBytes } from '../shared/env-vars.ts';
import { CliError } from './errors.ts';

/** Commander accumulator for repeatable flags (`--env A=1 --env B=2`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses `--env` values into a map; the value may contain `=`, a later repeat of a key wins (as in `docker run -e`). */
export function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq === -1) throw new CliError(`--env "${pair}" must have the form KEY=VALUE (for an empty value write KEY=)`);
    const key = pair.slice(0, eq);
    if (key === '') throw new CliError(`--env "${pair}" has no name before "="; use KEY=VALUE`);
    if (!ENV_NAME.test(key)) {
      throw new CliError(`--env "${pair}": "${key}" is not a valid variable name (at least two letters, digits and _, starting with a letter)`);
    }
    vars[key] = pair.slice(eq + 1);
  }
  const bytes = environmentBytes(vars);
  if (bytes > ENV_MAX_BYTES) {
    throw new CliError(`--env: the variables come to ${bytes} bytes (as JSON), over the ${ENV_MAX_BYTES}-byte (4 KB) limit of a function's environment; shorten or drop some`);
  }
  return vars;
}

/** Parses `--weight 2=0.1` values into RoutingConfig.AdditionalVersionWeights. */
export function parseWeights(pairs: readonly string[]): Record<string, number> {
  const weights: Record<string, number> = {};
  for (const pair of pairs) {
    const match = /^(\d+)=(.+)$/.exec(pair);
    if (!match) throw new CliError(`--weight "${pair}" must have the form VERSION=WEIGHT, e.g. --weight 2=0.1`);
    const weight = Number(match[2]);
    if (!Number.isFinite(weight) || weight < 0 || weight > 1) {
      throw new CliError(`--weight "${pair}": the weight must be a number from 0 to 1 (the share of traffic sent to version ${match[1]})`);
    }
    weights[match[1]!] = weight;
  }
  return weights;
}

/** Parses a whole-number flag (`--memory`, `--timeout`); range checks stay with the server, which knows its limits. */
export function parseInteger(flag: string, value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new CliError(`${flag} "${value}" must be a whole number`);
  return Number(value);
}

/**
 * Reads an invoke payload: inline JSON, `@path` for a file, or `@-` for stdin. The text is
 * checked as JSON here so a typo fails locally with the parser's reason, not as a server error.
 */
export async function readPayload(value: string | undefined, cwd: string, stdin: () => Promise<string> = readStdin): Promise<string> {
  if (value === undefined) return '{}';
  let text = value;
  let origin = '--payload';
  if (value.startsWith('@')) {
    const path = value.slice(1);
    if (path === '') throw new CliError('--payload "@" needs a file name after @ (or @- for standard input)');
    if (path === '-') {
      text = await stdin();
      origin = 'standard input';
    } else {
      const full = resolve(cwd, path);
      try {
        text = await readFile(full, 'utf8');
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw new CliError(code === 'ENOENT' ? `payload file ${full} does not exist` : `cannot read payload file ${full}: ${(err as Error).message}`);
      }
      origin = `payload file ${full}`;
    }
  }
  try {
    JSON.parse(text);
  } catch (err) {
    throw new CliError(`${origin} is not valid JSON: ${(err as Error).message}`);
  }
  return text;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
