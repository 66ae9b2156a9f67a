/** @module The one error type of Stratus: every error is made by `stratusError` from a catalogued code. */

export type ErrorKind = 'user' | 'system';

interface CodeInfo {
  status: number;
  kind: ErrorKind;
  retryable?: boolean;
}

/**
 * Every error code Stratus can return, with its HTTP status. `docs/errors.md` documents each one
 * (a test fails when a code is missing there); the API edge maps codes to Lambda exception names.
 */
export const ERROR_CODES = {
  REQUEST_INVALID_PARAMETER: { status: 400, kind: 'user' },
  REQUEST_INVALID_CONTENT: { status: 400, kind: 'user' },
  REQUEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: 'user' },
  REQUEST_TOO_LARGE: { status: 413, kind: 'user' },
  REQUEST_ROUTE_NOT_FOUND: { status: 404, kind: 'user' },
  REQUEST_THROTTLED: { status: 429, kind: 'user', retryable: true },
  REQUEST_ABORTED: { status: 499, kind: 'user' },
  REQUEST_TOO_SLOW: { status: 408, kind: 'user', retryable: true },
  AUTH_MISSING: { status: 403, kind: 'user' },
  AUTH_INCOMPLETE: { status: 403, kind: 'user' },
  AUTH_UNKNOWN_KEY: { status: 403, kind: 'user' },
  AUTH_BAD_SIGNATURE: { status: 403, kind: 'user' },
  AUTH_CLOCK_SKEW: { status: 403, kind: 'user' },
  AUTH_FORBIDDEN: { status: 403, kind: 'user' },
  ACCOUNT_EXISTS: { status: 409, kind: 'user' },
  FUNCTION_NOT_FOUND: { status: 404, kind: 'user' },
  FUNCTION_EXISTS: { status: 409, kind: 'user' },
  FUNCTION_REVISION_MISMATCH: { status: 412, kind: 'user' },
  FUNCTION_CONFLICT: { status: 409, kind: 'user' },
  FUNCTION_QUARANTINED: { status: 409, kind: 'user' },
  ACCOUNT_QUARANTINED: { status: 403, kind: 'user' },
  VERSION_NOT_FOUND: { status: 404, kind: 'user' },
  ALIAS_NOT_FOUND: { status: 404, kind: 'user' },
  ALIAS_EXISTS: { status: 409, kind: 'user' },
  RUNTIME_UNSUPPORTED: { status: 400, kind: 'user' },
  CODE_INVALID_ZIP: { status: 400, kind: 'user' },
  CODE_HANDLER_NOT_FOUND: { status: 400, kind: 'user' },
  CODE_BUILD_FAILED: { status: 400, kind: 'user' },
  CODE_TOO_LARGE: { status: 413, kind: 'user' },
  CODE_NOT_FOUND: { status: 404, kind: 'user' },
  INVOKE_PAYLOAD_INVALID: { status: 400, kind: 'user' },
  INVOKE_PAYLOAD_TOO_LARGE: { status: 413, kind: 'user' },
  INVOKE_TYPE_UNSUPPORTED: { status: 400, kind: 'user' },
  TENANT_ID_INVALID: { status: 400, kind: 'user' },
  TENANT_ID_REQUIRED: { status: 400, kind: 'user' },
  TENANT_ID_UNEXPECTED: { status: 400, kind: 'user' },
  TENANT_LIMIT_EXCEEDED: { status: 429, kind: 'user', retryable: true },
  INVOKE_CAPACITY_EXHAUSTED: { status: 429, kind: 'user', retryable: true },
  STORE_UNAVAILABLE: { status: 503, kind: 'system', retryable: true },
  INTERNAL: { status: 500, kind: 'system', retryable: true },
} as const satisfies Record<string, CodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

const BRAND = Symbol.for('stratus.error');

export interface StratusErrorOptions {
  cause?: unknown;
  retryAfterSeconds?: number;
  details?: Record<string, string>;
}

export class StratusError extends Error {
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  /** Seconds a client should wait before retrying (sent as Retry-After), when known. */
  readonly retryAfterSeconds?: number;
  /** Extra fields of the error body the client's SDK reads (e.g. Lambda's `Reason` on throttles). */
  readonly details?: Readonly<Record<string, string>>;

  constructor(code: ErrorCode, message: string, opts: StratusErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    const info: CodeInfo = ERROR_CODES[code];
    this.name = 'StratusError';
    this.code = code;
    this.status = info.status;
    this.kind = info.kind;
    this.retryable = info.retryable ?? false;
    this.retryAfterSeconds = opts.retryAfterSeconds;
    this.details = opts.details;
  }
}

/** Builds an error from the catalogue. A user error's message tells the person what to do next. */
export function stratusError(code: ErrorCode, message: string, opts?: StratusErrorOptions): StratusError {
  return new StratusError(code, message, opts);
}

/** Cross-realm-safe guard: checks the brand, never `instanceof`. */
export function isStratusError(value: unknown): value is StratusError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/** Shorthand for the most common user error: a parameter that is missing or out of range. */
export function invalidParameter(field: string, problem: string): StratusError {
  return stratusError('REQUEST_INVALID_PARAMETER', `${field}: ${problem}`);
}
