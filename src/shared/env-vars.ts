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

/**
 * Names the runtime sets itself, which a function may not configure (Lambda refuses them with
 * InvalidParameterValueException). Others it sets (LANG, PATH, TZ, NODE_PATH) may be overridden.
 */
export const RESERVED_ENV_NAMES: ReadonlySet<string> = new Set([
  '_HANDLER',
  '_X_AMZN_TRACE_ID',
  'AWS_DEFAULT_REGION',
  'AWS_REGION',
  'AWS_EXECUTION_ENV',
  'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE',
  'AWS_LAMBDA_FUNCTION_VERSION',
  'AWS_LAMBDA_INITIALIZATION_TYPE',
  'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME',
  'AWS_ACCESS_KEY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API',
  'LAMBDA_TASK_ROOT',
  'LAMBDA_RUNTIME_DIR',
]);
