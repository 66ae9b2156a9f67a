/** @module The API edge of errors: Stratus codes to Lambda exception names, and the Lambda error body. */
import type { FastifyReply } from 'fastify';
import { isStratusError, stratusError, type ErrorCode, type StratusError } from '../shared/errors.ts';

/** The exception name the AWS SDK turns into its own class (x-amzn-ErrorType). */
export const LAMBDA_EXCEPTION: Record<ErrorCode, string> = {
  REQUEST_INVALID_PARAMETER: 'InvalidParameterValueException',
  REQUEST_INVALID_CONTENT: 'InvalidRequestContentException',
  REQUEST_UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeException',
  REQUEST_TOO_LARGE: 'RequestTooLargeException',
  REQUEST_ROUTE_NOT_FOUND: 'UnknownOperationException',
  REQUEST_THROTTLED: 'TooManyRequestsException',
  REQUEST_ABORTED: 'ClientClosedRequestException',
  REQUEST_TOO_SLOW: 'RequestTimeoutException',
  AUTH_MISSING: 'MissingAuthenticationTokenException',
  AUTH_INCOMPLETE: 'IncompleteSignatureException',
  AUTH_UNKNOWN_KEY: 'UnrecognizedClientException',
  AUTH_BAD_SIGNATURE: 'InvalidSignatureException',
  AUTH_CLOCK_SKEW: 'InvalidSignatureException',
  AUTH_FORBIDDEN: 'AccessDeniedException',
  ACCOUNT_EXISTS: 'ResourceConflictException',
  FUNCTION_NOT_FOUND: 'ResourceNotFoundException',
  FUNCTION_EXISTS: 'ResourceConflictException',
  FUNCTION_REVISION_MISMATCH: 'PreconditionFailedException',
  FUNCTION_CONFLICT: 'ResourceConflictException',
  FUNCTION_QUARANTINED: 'ResourceConflictException',
  ACCOUNT_QUARANTINED: 'AccessDeniedException',
  VERSION_NOT_FOUND: 'ResourceNotFoundException',
  ALIAS_NOT_FOUND: 'ResourceNotFoundException',
  ALIAS_EXISTS: 'ResourceConflictException',
  RUNTIME_UNSUPPORTED: 'InvalidParameterValueException',
  CODE_INVALID_ZIP: 'InvalidParameterValueException',
  CODE_HANDLER_NOT_FOUND: 'InvalidParameterValueException',
  CODE_BUILD_FAILED: 'InvalidParameterValueException',
  CODE_TOO_LARGE: 'RequestTooLargeException',
  CODE_NOT_FOUND: 'ResourceNotFoundException',
  INVOKE_PAYLOAD_INVALID: 'InvalidRequestContentException',
  INVOKE_PAYLOAD_TOO_LARGE: 'RequestTooLargeException',
  INVOKE_TYPE_UNSUPPORTED: 'InvalidParameterValueException',
  INVOKE_CAPACITY_EXHAUSTED: 'TooManyRequestsException',
  TENANT_ID_INVALID: 'InvalidParameterValueException',
  TENANT_ID_REQUIRED: 'InvalidParameterValueException',
  TENANT_ID_UNEXPECTED: 'InvalidParameterValueException',
  TENANT_LIMIT_EXCEEDED: 'TooManyRequestsException',
  ENGINE_WORKER_EXITED: 'ServiceException',
  STORE_UNAVAILABLE: 'ServiceException',
  INTERNAL: 'ServiceException',
};

/** Fastify's own errors (body parsing, limits) become catalogued Stratus errors. */
function fromFastify(err: { code?: string; statusCode?: number; message: string }): StratusError | undefined {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return stratusError('REQUEST_TOO_LARGE.anyOperation');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return stratusError('REQUEST_UNSUPPORTED_MEDIA_TYPE');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return stratusError('REQUEST_INVALID_CONTENT.unreadableBody', { detail: err.message });
    default:
      if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
        return stratusError('REQUEST_INVALID_CONTENT.unreadable', { detail: err.message });
      }
      return undefined;
  }
}

/** Turns anything thrown into a StratusError; unknown errors become INTERNAL with no internals shown. */
export function toStratusError(err: unknown): { error: StratusError; unexpected: boolean } {
  if (isStratusError(err)) return { error: err, unexpected: err.kind === 'system' };
  const mapped = typeof err === 'object' && err !== null && 'message' in err ? fromFastify(err as { code?: string; message: string }) : undefined;
  if (mapped) return { error: mapped, unexpected: false };
  return { error: stratusError('INTERNAL.unexpected', { cause: err }), unexpected: true };
}

export function sendError(reply: FastifyReply, error: StratusError): FastifyReply {
  const type = LAMBDA_EXCEPTION[error.code];
  // Whether and when to retry comes from the error's catalogue entry, never from its status or exception name.
  const retryAfter = error.retryable ? error.retryAfterSeconds : undefined;
  if (retryAfter !== undefined) reply.header('Retry-After', String(retryAfter));
  // A system error's own message may name internals (hashes, paths): clients get the catalogue's stand-in, the log the real one.
  const body: Record<string, unknown> = { ...error.details, Type: error.kind === 'user' ? 'User' : 'Service', message: error.clientMessage, code: error.code };
  // Lambda's TooManyRequestsException carries the wait in its body too; other exception shapes have no such field.
  if (type === 'TooManyRequestsException' && retryAfter !== undefined) body.retryAfterSeconds = String(retryAfter);
  return reply.status(error.status).header('x-amzn-ErrorType', type).header('content-type', 'application/json').send(JSON.stringify(body));
}
