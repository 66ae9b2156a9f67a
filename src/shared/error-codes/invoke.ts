/** @module Catalogue of invocation and tenancy errors, and INTERNAL, the one system error. */
import { codes } from './spec.ts';

export const INVOKE_CODES = codes({
  INVOKE_PAYLOAD_INVALID: {
    status: 400,
    kind: 'user',
    message: 'Could not parse request body into json: {detail}. Send a JSON document as the payload.',
  },
  INVOKE_PAYLOAD_TOO_LARGE: {
    status: 413,
    kind: 'user',
    message: 'Request must be smaller than {limit} bytes for the Invoke operation; got {bytes}.',
  },
  INVOKE_TYPE_UNSUPPORTED: {
    status: 400,
    kind: 'user',
    message: 'X-Amz-Invocation-Type Event (asynchronous invocation) is not available on this Stratus yet: invoke with RequestResponse.',
  },
  INVOKE_CAPACITY_EXHAUSTED: {
    status: 429,
    kind: 'user',
    retryable: true,
    retryAfterSeconds: 1,
    message: "This node is at its limit of {max} execution environments and none became free within {waitMs} ms. Retry the request, or raise the node's environment limit.",
  },
  TENANT_ID_INVALID: { status: 400, kind: 'user', message: 'X-Amz-Tenant-Id {shown} is not a valid tenant id: use {rule}.' },
  TENANT_ID_REQUIRED: {
    status: 400,
    kind: 'user',
    message: 'Function {name} runs with tenant isolation (PER_TENANT): send the tenant in X-Amz-Tenant-Id (TenantId in the SDK, --tenant in the stratus CLI).',
  },
  TENANT_ID_UNEXPECTED: {
    status: 400,
    kind: 'user',
    message:
      'Function {name} was not created with tenant isolation (TenancyConfig): do not send X-Amz-Tenant-Id to it, or create a function with TenancyConfig (TenantIsolationMode PER_TENANT).',
  },
  TENANT_LIMIT_EXCEEDED: {
    status: 429,
    kind: 'user',
    retryable: true,
    retryAfterSeconds: 1,
    message: {
      concurrency: 'Rate Exceeded: tenant {tenant} already has {inFlight} invocations of {name} in flight, its limit (MaxConcurrency) is {limit}. Retry later.',
      rate: 'Rate Exceeded: tenant {tenant} is over {rps} requests per second (MaxRequestsPerSecond) for {name}. Retry later.',
    },
  },
  ENGINE_WORKER_EXITED: {
    status: 503,
    kind: 'system',
    retryable: true,
    retryAfterSeconds: 1,
    clientMessage: 'The engine worker process running this invocation ended; it has been replaced. Retry the request.',
    message: {
      invoking: 'The engine worker process ended while running an invocation of {name}; it has been replaced.',
      creating: 'The engine worker process ended while creating an execution environment for {name}; it has been replaced.',
    },
  },
  STORE_UNAVAILABLE: {
    status: 503,
    kind: 'system',
    retryable: true,
    retryAfterSeconds: 1,
    clientMessage: 'The database did not answer; retry the request. A write that got this answer may have been applied: read the resource again before retrying it.',
    message: 'The database did not answer ({detail}); retry the request.',
  },
  // The messages below go to the server log only; a client gets clientMessage (invariant 5: no internals).
  INTERNAL: {
    status: 500,
    kind: 'system',
    retryable: true,
    clientMessage: 'Stratus hit an internal error; the request can be retried. The server log has the details.',
    message: {
      unexpected: 'An unexpected error reached the API edge (its cause has the details).',
      unauthenticatedRoute: 'route reached without an authenticated account',
      adminWithoutKey: 'the admin account has no access key',
      zipMissing: 'The code package {sha256} of {name} is missing from the store.',
      bundleMissing: 'Code bundle {sha256} of {name} is missing from the store.',
      bundlerFailed: 'Bundling the code failed unexpectedly. Try again; if it keeps failing, report it.',
      packageFailed: 'Preparing the code package failed unexpectedly. Try again; if it keeps failing, report it.',
      poolClosed: 'The environment pool is closed because this node is shutting down; retry the request.',
      stageMissing: 'invocation pipeline: {what} is not set (a stage is missing before this one)',
      pipelineEnded: 'the invocation pipeline ended without running the function',
      syncSuspended: 'a synchronous invocation cannot suspend',
      workerRefused: 'engine worker could not serve a {op}: {error}',
    },
  },
});
