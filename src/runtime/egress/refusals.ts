/**
 * @module The fixed set of ways a function's fetch can be refused or fail, each with the one
 * message a person reads: which host, why, and which setting to change. They travel to the guest
 * as data (a code and a message), never as a thrown host error, whose stack would name host paths.
 */

const POLICY_SETTING = "the function's EgressPolicy (stratus egress set, or stratus deploy --allow-host) or its tag stratus:egress";

const TEMPLATES = {
  EGRESS_NO_POLICY: `fetch to {target} refused: the function has no egress policy, so it may make no outbound requests; allow {suggestion} in ${POLICY_SETTING}`,
  EGRESS_HOST_NOT_ALLOWED: "fetch to {target} refused: not allowed by the function's egress policy (set by {source}); add {suggestion} to it",
  EGRESS_SCHEME_NOT_ALLOWED: "fetch to {target} refused: only http: and https: URLs can be fetched (the URL's scheme is {scheme})",
  EGRESS_ADDRESS_REFUSED:
    "fetch to {target} refused: {host} is {address}, a {range} address; {range} addresses are never reachable unless the address itself is listed in the function's egress policy (add {suggestion} to it)",
  EGRESS_SUBREQUEST_LIMIT: 'fetch to {target} refused: this invocation already made {max} subrequests (each redirect counts as one), the most one invocation may make',
  EGRESS_TOO_MANY_REDIRECTS: 'fetch to {target} failed: it redirected more than {max} times',
  EGRESS_REDIRECT_ERROR: "fetch to {target} failed: the server answered with a redirect, and the request's redirect mode is 'error'",
  EGRESS_REQUEST_TOO_LARGE: 'fetch to {target} refused: the request body is {bytes} bytes, over the {max}-byte limit of a request body',
  EGRESS_RESPONSE_TOO_LARGE:
    "fetch to {target} failed: the response body is over {max} bytes, the limit for one response (MemorySize/16, at least 6 MiB and at most 64 MiB): raise the function's MemorySize, or ask for less (a Range header, a smaller page)",
  EGRESS_TIMEOUT: "fetch to {target} failed: no complete response before the invocation's deadline (the function's Timeout)",
  EGRESS_ABORTED: 'fetch to {target} was stopped: the invocation ended before its response arrived',
  EGRESS_INVALID_URL: 'fetch refused: {url} is not a valid absolute URL',
  EGRESS_INVALID_METHOD: "fetch to {target} refused: '{method}' is not a method that can be sent (CONNECT, TRACE and TRACK never are)",
  EGRESS_INVALID_HEADER: "fetch to {target} refused: the header '{name}' has an invalid name or value (control characters, line breaks)",
  EGRESS_BODY_NOT_ALLOWED: 'fetch to {target} refused: a {method} request cannot have a body',
  EGRESS_DNS: 'fetch to {target} failed: the host name {host} does not resolve',
  EGRESS_CONNECTION: 'fetch to {target} failed: the connection was refused or lost ({reason})',
  EGRESS_TLS: 'fetch to {target} failed: the TLS connection could not be verified ({reason})',
} as const;

export type EgressRefusalCode = keyof typeof TEMPLATES;

/** A refused or failed fetch, as the guest receives it. */
export interface EgressRefusal {
  readonly ok: false;
  readonly code: EgressRefusalCode;
  readonly message: string;
}

/** The refusal for a code, its `{name}` placeholders filled from args. */
export function refusal(code: EgressRefusalCode, args: Readonly<Record<string, string | number>>): EgressRefusal {
  const message = TEMPLATES[code].replace(/\{(\w+)\}/g, (whole, name: string) => (Object.hasOwn(args, name) ? String(args[name]) : whole));
  return { ok: false, code, message };
}

/** Every refusal code, for tests and for the guest side's error classes. */
export const EGRESS_REFUSAL_CODES = Object.keys(TEMPLATES) as EgressRefusalCode[];

/** Socket error codes named in EGRESS_CONNECTION / EGRESS_TLS: a fixed vocabulary, never a host's own error message. */
export function connectionFailure(code: string | undefined): { code: 'EGRESS_DNS' | 'EGRESS_CONNECTION' | 'EGRESS_TLS'; reason: string } {
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'ENODATA') return { code: 'EGRESS_DNS', reason: 'no such host' };
  if (code !== undefined && /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS|ERR_SSL|HOSTNAME_MISMATCH|ERR_TLS_CERT)/.test(code)) return { code: 'EGRESS_TLS', reason: code };
  const known = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'HPE_INVALID_CONSTANT', 'HPE_HEADER_OVERFLOW'];
  return { code: 'EGRESS_CONNECTION', reason: code !== undefined && (known.includes(code) || code.startsWith('HPE_')) ? code : 'network error' };
}
