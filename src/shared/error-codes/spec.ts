/** @module The shape of one catalogued error code: status, kind, retryability and its message templates. */

export type ErrorKind = 'user' | 'system';

export interface CodeSpec {
  readonly status: number;
  /** `user`: the caller can fix it and sees the message; `system`: Stratus's side, the message goes to the log only. */
  readonly kind: ErrorKind;
  /** Whether the same request may succeed later; the API edge sends Retry-After only for retryable errors. */
  readonly retryable?: boolean;
  /** The usual wait before a retry; a throw site that knows better (a rate limiter's refill) passes its own. */
  readonly retryAfterSeconds?: number;
  /**
   * The message, or one per situation the code covers (picked as `CODE.situation`). `{name}` is filled
   * from the throw site's arguments, so one situation has one wording wherever it is raised.
   */
  readonly message: string | Readonly<Record<string, string>>;
  /** What a client sees of a system error instead of its message, which may name internals. */
  readonly clientMessage?: string;
}

/** Keeps the literal templates in the type, so a throw site's arguments are checked against them. */
export function codes<const T extends Record<string, CodeSpec>>(specs: T): T {
  return specs;
}
