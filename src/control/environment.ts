/** @module Checks a function's environment variables as Lambda does, with messages that never contain a value (values are often secrets). */
import { ENV_MAX_BYTES, ENV_NAME, ENV_NAME_PATTERN, environmentBytes } from '../shared/env-vars.ts';
import { stratusError } from '../shared/errors.ts';

/** Names are the caller's text, not secrets; a message quotes at most this much of one. */
const MAX_NAME_SHOWN = 64;

export function checkEnvironment(vars: Record<string, string>): void {
  for (const name of Object.keys(vars)) {
    if (ENV_NAME.test(name)) continue;
    const shown = name.length > MAX_NAME_SHOWN ? `${name.slice(0, MAX_NAME_SHOWN)}...` : name;
    throw stratusError(
      'REQUEST_INVALID_PARAMETER',
      `1 validation error detected: Value at 'environment.variables' failed to satisfy constraint: Map keys must satisfy constraint: [Member must satisfy regular expression pattern: ${ENV_NAME_PATTERN}]. ` +
        `Environment variable name '${shown}' is not valid: a name starts with a letter, is at least two characters long, and has only letters, digits and '_'.`,
    );
  }
  const bytes = environmentBytes(vars);
  if (bytes > ENV_MAX_BYTES) {
    // Lambda's message quotes the measured string; it holds the values, so only its size is given here.
    throw stratusError(
      'REQUEST_INVALID_PARAMETER',
      'Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. ' +
        `String measured: ${bytes} bytes (the JSON of Environment.Variables; the limit is ${ENV_MAX_BYTES} bytes). ` +
        'Shorten or remove variables, or keep large values elsewhere and have the function read them when it starts.',
    );
  }
}
