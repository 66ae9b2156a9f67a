/** @module The one error type of Stratus: every error is made by `stratusError` from a catalogued code and its arguments. */
import { AUTH_CODES } from './error-codes/auth.ts';
import { CODE_CODES } from './error-codes/code.ts';
import { FUNCTION_CODES } from './error-codes/functions.ts';
import { INVOKE_CODES } from './error-codes/invoke.ts';
import { PARAMETER_CODES } from './error-codes/parameters.ts';
import { REQUEST_CODES } from './error-codes/request.ts';
import type { CodeSpec, ErrorKind } from './error-codes/spec.ts';

export type { CodeSpec, ErrorKind } from './error-codes/spec.ts';

/**
 * Every error code Stratus can return, with its status, kind, retryability and message templates
 * (Fastify's `createError` is the model). `docs/errors.md` documents each code (a test fails when
 * one is missing there); the API edge maps codes to Lambda exception names.
 */
export const ERROR_CODES = {
  ...REQUEST_CODES,
  ...PARAMETER_CODES,
  ...AUTH_CODES,
  ...FUNCTION_CODES,
  ...CODE_CODES,
  ...INVOKE_CODES,
} as const;

type Catalogue = typeof ERROR_CODES;
export type ErrorCode = keyof Catalogue;
type MessageOf<C extends ErrorCode> = Catalogue[C]['message'];

/** What a throw site names: a code with one message, or `CODE.situation` for a code with several. */
export type ErrorId = {
  [C in ErrorCode]: MessageOf<C> extends string ? C : `${C}.${Extract<keyof MessageOf<C>, string>}`;
}[ErrorCode];

type TemplateOf<I> = I extends ErrorCode
  ? MessageOf<I>
  : I extends `${infer C extends ErrorCode}.${infer S}`
    ? MessageOf<C> extends Readonly<Record<S, infer T>>
      ? T
      : never
    : never;
type Placeholders<T> = T extends `${string}{${infer P}}${infer Rest}` ? P | Placeholders<Rest> : never;

// A template typed as plain `string` would accept no arguments at all: fail the build instead.
type Widened = {
  [C in ErrorCode]: MessageOf<C> extends string ? (string extends MessageOf<C> ? C : never) : string extends MessageOf<C>[keyof MessageOf<C>] ? C : never;
}[ErrorCode];
const noWidenedTemplates: [Widened] extends [never] ? true : Widened = true;
void noWidenedTemplates;

export interface StratusErrorOptions {
  cause?: unknown;
  /** Overrides the code's usual wait, when the throw site knows when capacity returns. */
  retryAfterSeconds?: number;
  /** Extra fields of the error body the client's SDK reads (e.g. Lambda's `Reason` on throttles). */
  details?: Record<string, string>;
}

/** The arguments a throw site passes: one value per `{name}` of the template, plus options. */
export type ErrorArgs<I extends ErrorId> = { readonly [K in Placeholders<TemplateOf<I>>]: string | number } & StratusErrorOptions;
type ArgsParam<I extends ErrorId> = [Placeholders<TemplateOf<I>>] extends [never] ? [options?: StratusErrorOptions] : [args: ErrorArgs<I>];

const BRAND = Symbol.for('stratus.error');
const OPTION_KEYS = new Set(['cause', 'retryAfterSeconds', 'details']);

export class StratusError extends Error {
  readonly [BRAND] = true;
  readonly code: ErrorCode;
  readonly status: number;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  /** Seconds a client should wait before retrying (sent as Retry-After when the error is retryable). */
  readonly retryAfterSeconds?: number;
  readonly details?: Readonly<Record<string, string>>;

  /** Only `stratusError` calls this; a message written anywhere else would bypass the catalogue. */
  constructor(code: ErrorCode, message: string, opts: StratusErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    const spec: CodeSpec = ERROR_CODES[code];
    this.name = 'StratusError';
    this.code = code;
    this.status = spec.status;
    this.kind = spec.kind;
    this.retryable = spec.retryable ?? false;
    this.retryAfterSeconds = opts.retryAfterSeconds ?? spec.retryAfterSeconds;
    this.details = opts.details;
  }

  /** The message a client may see: a user error's own, a system error's catalogued stand-in (no internals). */
  get clientMessage(): string {
    if (this.kind === 'user') return this.message;
    const spec: CodeSpec = ERROR_CODES[this.code];
    return spec.clientMessage ?? 'Stratus hit an internal error. The server log has the details.';
  }
}

/** The template of an id (`CODE` or `CODE.situation`), or undefined when the catalogue has no such id. */
export function templateOf(id: string): string | undefined {
  const [code, situation, extra] = id.split('.');
  if (extra !== undefined || !Object.hasOwn(ERROR_CODES, code!)) return undefined;
  const message: CodeSpec['message'] = ERROR_CODES[code as ErrorCode].message;
  if (typeof message === 'string') return situation === undefined ? message : undefined;
  return situation !== undefined && Object.hasOwn(message, situation) ? message[situation] : undefined;
}

/** Fills `{name}` from args; a name with no argument stays visible rather than silently vanishing. */
export function renderTemplate(template: string, args: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(args, name) && !OPTION_KEYS.has(name) ? String(args[name]) : whole));
}

/** Builds an error from the catalogue; the throw site passes only the template's arguments. */
export function stratusError<I extends ErrorId>(id: I, ...[args]: ArgsParam<I>): StratusError {
  const template = templateOf(id);
  if (template === undefined) throw new TypeError(`stratusError: ${id} is not in the error catalogue`);
  const given = (args ?? {}) as Readonly<Record<string, unknown>> & StratusErrorOptions;
  const code = id.split('.')[0] as ErrorCode;
  return new StratusError(code, renderTemplate(template, given), {
    cause: given.cause,
    retryAfterSeconds: given.retryAfterSeconds,
    details: given.details,
  });
}

/** Cross-realm-safe guard: checks the brand, never `instanceof`. */
export function isStratusError(value: unknown): value is StratusError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}
