/** @module Catalogue of authentication, authorization and account errors. */
import { codes } from './spec.ts';

const ADMIN_KEY = "sign the request with the admin key from the data folder's credentials file.";

export const AUTH_CODES = codes({
  AUTH_MISSING: {
    status: 403,
    kind: 'user',
    message: 'Missing Authentication Token: sign the request with AWS Signature Version 4 (the AWS SDKs, the AWS CLI and the stratus CLI do this for you).',
  },
  AUTH_INCOMPLETE: {
    status: 403,
    kind: 'user',
    message: {
      header: "Authorization header is not a valid AWS4-HMAC-SHA256 header: it needs 'Credential=KEY/DATE/REGION/lambda/aws4_request, SignedHeaders=..., Signature=...'.",
      date: 'Missing or malformed X-Amz-Date header: send the signing time as YYYYMMDDTHHMMSSZ.',
      hostNotSigned: 'SignedHeaders must include host: sign the Host header too.',
    },
  },
  AUTH_UNKNOWN_KEY: {
    status: 403,
    kind: 'user',
    message: 'The security token included in the request is invalid: the access key id is not known to this Stratus.',
  },
  AUTH_BAD_SIGNATURE: {
    status: 403,
    kind: 'user',
    message: {
      scopeDate: 'The credential scope date does not match X-Amz-Date: sign with the date of X-Amz-Date in the credential scope.',
      service: "Credential should be scoped to correct service: 'lambda', not '{service}'.",
      region: "Credential should be scoped to a valid region: this Stratus serves '{region}', set your client's region to it.",
      unsignedHeader: "Header '{name}' is listed in SignedHeaders but is not in the request.",
      bodyHash: 'X-Amz-Content-Sha256 does not match the request body: the body must be signed (unsigned payloads are not accepted).',
      mismatch: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    },
  },
  AUTH_CLOCK_SKEW: {
    status: 403,
    kind: 'user',
    message: "Signature expired: {signedAt} is outside 5 minutes of the server time {serverTime}. Check the client's clock.",
  },
  AUTH_FORBIDDEN: {
    status: 403,
    kind: 'user',
    message: {
      createAccount: `Only the admin account can create accounts: ${ADMIN_KEY}`,
      listAccounts: `Only the admin account can list accounts: ${ADMIN_KEY}`,
      nodeStats: `Only the admin account can read node statistics: ${ADMIN_KEY}`,
      codeLink: 'This code link is invalid or has expired: call GetFunction again for a fresh Code.Location.',
      metricsToken: '/metrics needs the metrics token: send Authorization: Bearer <STRATUS_METRICS_TOKEN>.',
      metricsLoopback: '/metrics answers only loopback clients when no token is configured (this request came from {ip}): set STRATUS_METRICS_TOKEN to scrape from another host.',
    },
  },
  ACCOUNT_EXISTS: { status: 409, kind: 'user', message: "An account named '{name}' already exists: choose another name." },
  ACCOUNT_QUARANTINED: {
    status: 403,
    kind: 'user',
    message: {
      lostThreads:
        "This account's functions are disabled on this node: its code made the execution engine spin where it cannot be stopped {count} time(s) (for example a getter or Proxy on the reason of an unhandled promise rejection). Fix the code, then ask the operator to restart the node.",
      workerCrashes:
        "This account's functions are disabled on this node: engine worker processes ended {count} times while its invocations ran (a crash in engine code). Fix the code, then ask the operator to restart the node.",
    },
  },
});
