/** @module The CLI's error types and the one-line `error: ...` rendering every failure goes through. */

/**
 * A failure the person can fix from the command line: a bad flag, a missing file, a missing
 * credentials profile. Its message is shown as is, so it says what to do next.
 */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** An error response from the server, named by its Lambda exception (`x-amzn-ErrorType`). */
export class ApiError extends CliError {
  readonly exceptionName: string;
  readonly status: number;

  constructor(exceptionName: string, message: string, status: number) {
    super(message);
    this.name = 'ApiError';
    this.exceptionName = exceptionName;
    this.status = status;
  }
}

/** The server could not be reached at all (refused, DNS, reset): usually it is not running. */
export class ConnectionError extends CliError {
  readonly endpoint: string;
  readonly reason: string;

  constructor(endpoint: string, reason: string) {
    super(
      `the Stratus server is not reachable at ${endpoint} (${reason}); start it with \`npm start\` or \`stratus serve\`, or point --endpoint / STRATUS_ENDPOINT at a running one`,
    );
    this.name = 'ConnectionError';
    this.endpoint = endpoint;
    this.reason = reason;
  }
}

/** True for API errors with the given exception name; used to branch create-or-update flows. */
export function isApiError(err: unknown, exceptionName?: string): err is ApiError {
  return err instanceof ApiError && (exceptionName === undefined || err.exceptionName === exceptionName);
}

/**
 * Renders any thrown value as exactly one line (no trailing newline). Stack traces are never
 * shown: a person running a command needs the cause, and the server already hides internals.
 */
export function formatErrorLine(err: unknown): string {
  if (err instanceof ApiError) return `error: ${err.exceptionName}: ${oneLine(err.message)}`;
  if (err instanceof Error) return `error: ${oneLine(err.message) || err.name}`;
  return `error: ${oneLine(String(err))}`;
}

/** Exit code for a thrown value: a CLI error carries its own, anything else is a plain failure. */
export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : 1;
}

function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
