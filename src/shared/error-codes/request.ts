/** @module Catalogue of request errors: reading the body, content types, routing, throttling. */
import { codes } from './spec.ts';

export const REQUEST_CODES = codes({
  REQUEST_INVALID_CONTENT: {
    status: 400,
    kind: 'user',
    message: {
      contentLength: 'The Content-Length header is not a byte count: send the body length in bytes.',
      truncated: 'The body ended after {received} of the {declared} bytes its Content-Length declared: send the whole body.',
      notJson: 'The request body is not valid JSON ({detail}): send a JSON object.',
      notObject: 'The request body must be a JSON object.',
      unreadableBody: 'The request body could not be read: {detail}',
      unreadable: 'The request could not be read: {detail}',
    },
  },
  REQUEST_UNSUPPORTED_MEDIA_TYPE: { status: 415, kind: 'user', message: 'Unsupported Content-Type: send application/json.' },
  REQUEST_TOO_LARGE: {
    status: 413,
    kind: 'user',
    message: {
      anyOperation: 'Request must be smaller than the limit of this operation (6291456 bytes for Invoke, 70 MB for code uploads, 64 KB for other operations): send a smaller body.',
      operation: 'Request must be smaller than {limit} bytes for this operation (it sent at least {got}): send a smaller body.',
    },
  },
  REQUEST_ROUTE_NOT_FOUND: {
    status: 404,
    kind: 'user',
    message: 'No operation matches {method} {path}: check the API version prefix (/2015-03-31/) and the path.',
  },
  REQUEST_THROTTLED: {
    status: 429,
    kind: 'user',
    retryable: true,
    retryAfterSeconds: 1,
    message: {
      keyBodyBytes: 'Rate Exceeded: this access key already has as many request body bytes in flight as it may hold; retry when earlier requests have finished.',
      nodeBodyBytes: 'Rate Exceeded: this node already has as many request body bytes in flight as it may hold; retry when earlier requests have finished.',
      control: 'Rate Exceeded: this node had no room for the request within {seconds} s. Retry later.',
      invoke: 'Rate Exceeded: this node had no room for the invocation within {seconds} s (other invocations hold every slot). Retry later.',
      accountBuilds: 'This account already has {running} code builds running and {waiting} waiting: wait for one to finish, then retry.',
      nodeBuilds: 'Rate Exceeded: this node had no room to build the code within {seconds} s. Retry later.',
    },
  },
  REQUEST_ABORTED: {
    status: 499,
    kind: 'user',
    message: {
      buildQueued: 'The build was stopped because the client closed the connection before it started.',
      buildRunning: 'The build was stopped because the client closed the connection before it finished.',
    },
  },
  REQUEST_TOO_SLOW: {
    status: 408,
    kind: 'user',
    retryable: true,
    message:
      'The request body arrived too slowly ({received} bytes in {seconds} s, and less than {minKbPerSecond} KB/s over the last {windowSeconds} s): send it at {minKbPerSecond} KB/s or faster.',
  },
});
