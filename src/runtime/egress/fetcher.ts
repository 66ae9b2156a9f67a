/**
 * @module The host side of a function's `fetch`: one fetcher per invocation, enforcing the
 * function's egress policy (scheme, host and port before any connection, the address at connect
 * time), following redirects itself so every hop is checked again, and holding the invocation's
 * limits (subrequests, concurrency, body sizes, the deadline). It never rejects: a refusal is a
 * result with a code and a message. It never sends the host's environment: no proxy variables are
 * read (its agents are its own), and it adds no credentials or headers the guest did not set
 * besides Host, User-Agent and Accept-Encoding. Written on node:http(s) (undici is not a
 * dependency of Stratus yet); the choice is contained in hop.ts.
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { formatEgressRule, listsAddress, matchEgress, urlHost, urlPort, type EgressPolicy, type EgressScheme } from '../../shared/egress-policy.ts';
import { guardedRange } from './address-guard.ts';
import { sendHop, type HopResponse, type LookupFunction } from './hop.ts';
import type { EgressLimits } from './limits.ts';
import { refusal, type EgressRefusal } from './refusals.ts';

/** What the guest asks for; the body is copied before use and never kept. */
export interface EgressRequest {
  url: string;
  /** Default GET. */
  method?: string;
  headers?: ReadonlyArray<readonly [string, string]>;
  body?: Uint8Array;
  /** As in fetch: follow (default, at most `maxRedirects` hops), manual (the 3xx is the answer), error. */
  redirect?: 'follow' | 'manual' | 'error';
}

/** A response, as copies: header pairs with lower-case names, and a fresh exact-size body. */
export interface EgressResponse {
  ok: true;
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array;
  /** The URL of the last hop. */
  url: string;
  redirected: boolean;
}

export type EgressResult = EgressResponse | EgressRefusal;

/** One hop, for the invocation's log and metrics. The URL has no query (it may hold secrets). */
export interface SubrequestRecord {
  method: string;
  url: string;
  /** The HTTP status, or the refusal code. */
  outcome: number | EgressRefusal['code'];
  ms: number;
  bytes: number;
}

export interface EgressFetcherOptions {
  /** The function's effective policy; absent: no outbound request is allowed. */
  policy: EgressPolicy | undefined;
  limits: EgressLimits;
  /** Aborted when the invocation ends: requests still open are cut off. */
  signal?: AbortSignal;
  /** dns.lookup by default; tests resolve test names to local servers. */
  lookup?: LookupFunction;
  /** The clock `limits.deadline` is read on (Date.now by default). */
  now?: () => number;
  onSubrequest?: (record: SubrequestRecord) => void;
}

export interface EgressFetcher {
  fetch(request: EgressRequest): Promise<EgressResult>;
  /** Subrequests made so far (hops that passed the policy), and response bytes received. */
  usage(): { subrequests: number; responseBytes: number };
  /** Closes the fetcher's connections; requests still open end as EGRESS_ABORTED. Idempotent. */
  close(): void;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers a guest cannot set (fetch's forbidden request headers, less those that merely describe the body). */
const DROPPED = new Set(['host', 'connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'te', 'trailer', 'expect', 'proxy-connection']);
const CROSS_ORIGIN_DROPPED = new Set(['authorization', 'cookie', 'proxy-authorization']);
const BODY_HEADERS = new Set(['content-type', 'content-encoding', 'content-language', 'content-location']);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export function createEgressFetcher(options: EgressFetcherOptions): EgressFetcher {
  const { policy, limits } = options;
  const now = options.now ?? Date.now;
  const lookup = options.lookup ?? (dns.lookup as unknown as LookupFunction);
  const closed = new AbortController();
  const stop = options.signal ? AbortSignal.any([options.signal, closed.signal]) : closed.signal;
  // Agents of its own: sockets are never shared with another invocation, and no proxy settings of the host apply.
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
  let subrequests = 0;
  let responseBytes = 0;
  let active = 0;
  const waiting: Array<() => void> = [];

  const release = () => {
    active--;
    waiting.shift()?.();
  };
  const acquire = (): Promise<void> => {
    if (active < limits.maxConcurrent) {
      active++;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(() => (active++, resolve())));
  };

  /** The checks made before any connection: scheme, an IP literal's range, the policy, the subrequest count. */
  function admit(url: URL): EgressRefusal | undefined {
    const target = url.origin;
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return refusal('EGRESS_SCHEME_NOT_ALLOWED', { target: `${url.protocol}...`, scheme: url.protocol.slice(0, -1) });
    const scheme: EgressScheme = url.protocol === 'http:' ? 'http' : 'https';
    const host = urlHost(url);
    const port = urlPort(url);
    const bare = host.startsWith('[') ? host.slice(1, -1) : host;
    const suggestion = formatEgressRule({ scheme, host, wildcard: false, port });
    if (net.isIP(bare)) {
      const range = guardedRange(bare);
      if (range !== undefined && !listsAddress(policy, bare, scheme, port)) return refusal('EGRESS_ADDRESS_REFUSED', { target, host, address: bare, range, suggestion });
    }
    // localhost and *.localhost are loopback by definition (RFC 6761), whatever a resolver would say of them.
    if ((bare === 'localhost' || bare.endsWith('.localhost')) && !['127.0.0.1', '::1'].some((ip) => listsAddress(policy, ip, scheme, port))) {
      return refusal('EGRESS_ADDRESS_REFUSED', {
        target,
        host,
        address: '127.0.0.1 or ::1',
        range: 'loopback',
        suggestion: formatEgressRule({ scheme, host: '127.0.0.1', wildcard: false, port }),
      });
    }
    if (!policy) return refusal('EGRESS_NO_POLICY', { target, suggestion });
    if (!matchEgress(policy, url)) {
      return refusal('EGRESS_HOST_NOT_ALLOWED', { target, suggestion, source: policy.source === 'tag' ? 'its tag stratus:egress' : 'its EgressPolicy field' });
    }
    if (subrequests >= limits.maxSubrequests) return refusal('EGRESS_SUBREQUEST_LIMIT', { target, max: limits.maxSubrequests });
    return undefined;
  }

  async function hop(url: URL, method: string, headers: Array<[string, string]>, body: Buffer | undefined, follow: boolean): Promise<HopResponse | EgressRefusal> {
    const started = now();
    const remaining = limits.deadline - started;
    const target = url.origin;
    if (stop.aborted) return refusal('EGRESS_ABORTED', { target });
    if (remaining <= 0) return refusal('EGRESS_TIMEOUT', { target });
    const deadline = AbortSignal.timeout(remaining);
    const signal = AbortSignal.any([stop, deadline]);
    const result = await sendHop(
      { url, method, headers, body },
      {
        policy,
        lookup,
        agents,
        maxResponseBytes: limits.maxResponseBytes,
        signal,
        why: () => (deadline.aborted && !stop.aborted ? refusal('EGRESS_TIMEOUT', { target }) : refusal('EGRESS_ABORTED', { target })),
        // A redirect about to be followed is not read: its body is of no use, and may be large.
        readBody: (status, location) => !(follow && REDIRECTS.has(status) && location),
      },
    );
    if (result.ok) responseBytes += result.body.length;
    options.onSubrequest?.({
      method,
      url: `${url.origin}${url.pathname}`,
      outcome: result.ok ? result.status : result.code,
      ms: now() - started,
      bytes: result.ok ? result.body.length : 0,
    });
    return result;
  }

  async function run(request: EgressRequest): Promise<EgressResult> {
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      const shown = String(request.url);
      return refusal('EGRESS_INVALID_URL', { url: JSON.stringify(shown.length > 100 ? `${shown.slice(0, 100)}...` : shown) });
    }
    const target = url.origin;
    const given = request.method ?? 'GET';
    const upper = given.toUpperCase();
    // As fetch does: the common methods are normalized to upper case, others sent as written.
    let method = ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'PATCH'].includes(upper) ? upper : given;
    if (!TOKEN.test(method) || ['CONNECT', 'TRACE', 'TRACK'].includes(upper)) return refusal('EGRESS_INVALID_METHOD', { target, method: method.slice(0, 40) });
    let headers: Array<[string, string]> = [];
    for (const [name, value] of request.headers ?? []) {
      const lower = String(name).toLowerCase();
      try {
        http.validateHeaderName(lower);
        http.validateHeaderValue(lower, value);
      } catch {
        return refusal('EGRESS_INVALID_HEADER', { target, name: lower.slice(0, 60) });
      }
      if (!DROPPED.has(lower) && !lower.startsWith('proxy-')) headers.push([lower, String(value)]);
    }
    if (!headers.some(([n]) => n === 'user-agent')) headers.push(['user-agent', 'Stratus']);
    if (!headers.some(([n]) => n === 'accept-encoding')) headers.push(['accept-encoding', 'gzip, deflate, br']);
    let body = request.body as Buffer | undefined;
    if (body !== undefined && body.length > limits.maxRequestBodyBytes) {
      return refusal('EGRESS_REQUEST_TOO_LARGE', { target, bytes: body.length, max: limits.maxRequestBodyBytes });
    }
    if (body !== undefined && (method === 'GET' || method === 'HEAD')) return refusal('EGRESS_BODY_NOT_ALLOWED', { target, method });

    const mode = request.redirect ?? 'follow';
    let redirects = 0;
    for (;;) {
      const refused = admit(url);
      if (refused) {
        options.onSubrequest?.({ method, url: `${url.origin}${url.pathname}`, outcome: refused.code, ms: 0, bytes: 0 });
        return refused;
      }
      subrequests++;
      const result = await hop(url, method, headers, body, mode === 'follow');
      if (!result.ok) return result;
      const location = result.headers.find(([n]) => n === 'location')?.[1];
      if (!REDIRECTS.has(result.status) || location === undefined || mode === 'manual') return { ...result, url: url.href, redirected: redirects > 0 };
      if (mode === 'error') return refusal('EGRESS_REDIRECT_ERROR', { target: url.origin });
      if (++redirects > limits.maxRedirects) return refusal('EGRESS_TOO_MANY_REDIRECTS', { target: url.origin, max: limits.maxRedirects });
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        return refusal('EGRESS_INVALID_URL', { url: JSON.stringify(location.slice(0, 100)) });
      }
      // fetch's redirect rules: 303 (and 301/302 after POST) become a GET without a body; credentials stay with their origin.
      if (result.status === 303 ? method !== 'HEAD' : (result.status === 301 || result.status === 302) && method === 'POST') {
        method = 'GET';
        body = undefined;
        headers = headers.filter(([n]) => !BODY_HEADERS.has(n));
      }
      if (next.origin !== url.origin) headers = headers.filter(([n]) => !CROSS_ORIGIN_DROPPED.has(n));
      url = next;
    }
  }

  return {
    async fetch(request) {
      // Copied before anything else, synchronously: the guest's array (perhaps over shared memory) is never read again.
      const own = { ...request, body: request.body === undefined ? undefined : Buffer.from(Uint8Array.prototype.slice.call(request.body)) };
      if (stop.aborted) return refusal('EGRESS_ABORTED', { target: '(closed)' });
      await acquire();
      try {
        return await run(own);
      } catch {
        // run() is written not to throw; if it ever does, the guest still gets a refusal, never a host stack.
        return refusal('EGRESS_CONNECTION', { target: '(unknown)', reason: 'internal error' });
      } finally {
        release();
      }
    },
    usage: () => ({ subrequests, responseBytes }),
    close() {
      closed.abort();
      agents.http.destroy();
      agents.https.destroy();
      for (const wake of waiting.splice(0)) wake();
    },
  };
}
