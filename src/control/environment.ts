/** @module Checks a function's environment variables as Lambda does, with messages that never contain a value (values are often secrets). */
import { ENV_MAX_BYTES, ENV_NAME, ENV_NAME_PATTERN, environmentBytes, RESERVED_ENV_NAMES } from '../shared/env-vars.ts';
import { stratusError } from '../shared/errors.ts';

/** Names are the caller's text, not secrets; a message quotes at most this much of one. */
const MAX_NAME_SHOWN = 64;

export function checkEnvironment(vars: Record<string, string>): void {
  for (const name of Object.keys(vars)) {
    if (ENV_NAME.test(name)) continue;
    const shown = name.length > MAX_NAME_SHOWN ? `${name.slice(0, MAX_NAME_SHOWN)}...` : name;
    throw stratusError('REQUEST_INVALID_PARAMETER.envName', { pattern: ENV_NAME_PATTERN, name: shown });
  }
  const reserved = Object.keys(vars).filter((name) => RESERVED_ENV_NAMES.has(name));
  if (reserved.length > 0) throw stratusError('REQUEST_INVALID_PARAMETER.envReserved', { names: reserved.join(',') });
  const bytes = environmentBytes(vars);
  if (bytes > ENV_MAX_BYTES) {
    // Lambda's message quotes the measured string; it holds the values, so only its size is given here.
    throw stratusError('REQUEST_INVALID_PARAMETER.envTooLarge', { bytes, limit: ENV_MAX_BYTES });
  }
}
