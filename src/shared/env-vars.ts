/** @module Lambda's rules for a function's environment variables (names, 4 KB for the whole set), shared by the server and the CLI. */

/** Lambda's pattern for a variable name, as its validation messages quote it. */
export const ENV_NAME_PATTERN = '[a-zA-Z]([a-zA-Z0-9_])+';

/** A letter, then one or more letters, digits or '_': at least two characters, as in Lambda. */
export const ENV_NAME = new RegExp(`^${ENV_NAME_PATTERN}$`);

/** Lambda's limit on the whole set: 4 KB. */
export const ENV_MAX_BYTES = 4096;

/** The size Lambda checks: the JSON of the variables map, here in UTF-8 bytes. */
export function environmentBytes(vars: Record<string, string>): number {
  return Buffer.byteLength(JSON.stringify(vars), 'utf8');
}
