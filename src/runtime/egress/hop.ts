/**
 * @module One HTTP exchange of a subrequest (one hop of a redirect chain) over node:http(s), with the
 * address guard at connect time: the socket's own DNS lookup goes through `guardedLookup`, which
 * refuses the connection when any resolved address is in a guarded range the policy does not list,
 * so the address checked is the address connected to (no second lookup for DNS rebinding to race).
 * The response body is read as a stream, decoded (gzip, deflate, br) and counted, and the exchange
 * is cut off as soon as it passes the cap: a large response is never held whole.
 */
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { formatEgressRule, listsAddress, urlHost, urlPort, type EgressPolicy, type EgressScheme } from '../../shared/egress-policy.ts';
import { guardedRange } from './address-guard.ts';
import { connectionFailure, refusal, type EgressRefusal } from './refusals.ts';

/** dns.lookup's shape (options.all decides the callback's form); tests inject one. */
export type LookupFunction = (hostname: string, options: { all: true; family?: number }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

export interface HopRequest {
  url: URL;
  method: string;
  headers: ReadonlyArray<readonly [string, string]>;
  body?: Buffer;
}

export interface HopContext {
  policy: EgressPolicy | undefined;
  lookup: LookupFunction;
  agents: { http: http.Agent; https: https.Agent };
  maxResponseBytes: number;
  /** Aborted at the deadline or when the invocation ends; `why` says which. */
  signal: AbortSignal;
  why(): EgressRefusal;
  /** Whether to read the body of a response with this status (and Location); false drops it unread. */
  readBody(status: number, location: boolean): boolean;
}

export interface HopResponse {
  ok: true;
  status: number;
  statusText: string;
  headers: [string, string][];
  body: Uint8Array;
}

/** Sends one request and reads its response; never rejects (every failure is a refusal). */
export function sendHop(req: HopRequest, ctx: HopContext): Promise<HopResponse | EgressRefusal> {
  const { url } = req;
  const target = url.origin;
  const scheme: EgressScheme = url.protocol === 'http:' ? 'http' : 'https';
  const port = urlPort(url);
  return new Promise((resolve) => {
    let settled = false;
    let refused: EgressRefusal | undefined;
    const finish = (result: HopResponse | EgressRefusal) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };

    const guardedLookup = (hostname: string, options: { all?: boolean; family?: number }, callback: (...args: unknown[]) => void) => {
      ctx.lookup(hostname, { all: true, family: options.family }, (err, addresses) => {
        if (err) return callback(err);
        for (const { address } of addresses) {
          const range = guardedRange(address);
          if (range !== undefined && !listsAddress(ctx.policy, address, scheme, port)) {
            const suggestion = formatEgressRule({ scheme, host: address.includes(':') ? `[${address}]` : address, wildcard: false, ip: address, port });
            refused = refusal('EGRESS_ADDRESS_REFUSED', { target, host: urlHost(url), address, range, suggestion });
            const blocked = new Error(refused.message) as NodeJS.ErrnoException;
            blocked.code = 'STRATUS_EGRESS_REFUSED';
            return callback(blocked);
          }
        }
        const first = addresses[0];
        if (first === undefined) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }));
        return options.all ? callback(null, addresses) : callback(null, first.address, first.family);
      });
    };

    // Host is the URL's (the agent also takes the TLS server name from it); repeated names go as one array.
    const headers: Record<string, string | string[]> = { host: url.host };
    for (const [name, value] of req.headers) {
      const had = headers[name];
      headers[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
    }
    if (req.body !== undefined) headers['content-length'] = String(req.body.length);
    const options: https.RequestOptions = {
      protocol: url.protocol,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port,
      method: req.method,
      path: `${url.pathname}${url.search}`,
      headers,
      setHost: false,
      agent: scheme === 'https' ? ctx.agents.https : ctx.agents.http,
      lookup: guardedLookup as unknown as https.RequestOptions['lookup'],
      signal: ctx.signal,
    };
    let request: http.ClientRequest;
    try {
      request = (scheme === 'https' ? https : http).request(options);
    } catch {
      finish(refusal('EGRESS_CONNECTION', { target, reason: 'invalid request' }));
      return;
    }
    request.on('error', (err: NodeJS.ErrnoException) => {
      if (refused) return finish(refused);
      if (ctx.signal.aborted) return finish(ctx.why());
      const failure = connectionFailure(err.code);
      finish(failure.code === 'EGRESS_DNS' ? refusal('EGRESS_DNS', { target, host: urlHost(url) }) : refusal(failure.code, { target, reason: failure.reason }));
    });
    request.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const head = { status, statusText: res.statusMessage ?? '', headers: headerPairs(res.rawHeaders) };
      if (!ctx.readBody(status, res.headers.location !== undefined) || req.method === 'HEAD' || status === 204 || status === 304) {
        res.destroy();
        finish({ ok: true, ...head, body: new Uint8Array(0) });
        return;
      }
      const tooLarge = () => refusal('EGRESS_RESPONSE_TOO_LARGE', { target, max: ctx.maxResponseBytes });
      const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
      const declared = Number(res.headers['content-length']);
      if (encoding === '' && Number.isFinite(declared) && declared > ctx.maxResponseBytes) {
        request.destroy();
        finish(tooLarge());
        return;
      }
      readCapped(decoded(res, encoding), ctx.maxResponseBytes).then(
        (body) => {
          if (body === 'too-large') {
            request.destroy();
            finish(tooLarge());
          } else finish({ ok: true, ...head, body });
        },
        (err: NodeJS.ErrnoException) => {
          request.destroy();
          if (ctx.signal.aborted) return finish(ctx.why());
          finish(refusal('EGRESS_CONNECTION', { target, reason: connectionFailure(err.code).reason }));
        },
      );
    });
    request.end(req.body);
  });
}

/** Lower-case name/value pairs in the order received (repeated headers such as set-cookie stay separate). */
function headerPairs(raw: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) pairs.push([raw[i]!.toLowerCase(), raw[i + 1]!]);
  return pairs;
}

/** The body as the guest reads it: decoded when it carries one content coding fetch decodes, else as sent. */
function decoded(res: http.IncomingMessage, encoding: string): Readable {
  // Lenient flush, as fetch implementations are: a body cut short still gives what was decoded.
  const flush = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  let decoder: zlib.Gunzip | zlib.Inflate | zlib.BrotliDecompress | undefined;
  if (encoding === 'gzip' || encoding === 'x-gzip') decoder = zlib.createGunzip(flush);
  else if (encoding === 'deflate') decoder = zlib.createInflate(flush);
  else if (encoding === 'br') decoder = zlib.createBrotliDecompress();
  if (!decoder) return res;
  res.on('error', (err) => decoder.destroy(err));
  return res.pipe(decoder);
}

/** Reads a stream into one fresh exact-size array, or stops at the first byte past `max`. */
async function readCapped(stream: Readable, max: number): Promise<Uint8Array | 'too-large'> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > max) {
      stream.destroy();
      return 'too-large';
    }
    chunks.push(chunk);
  }
  // A fresh array of exactly the body's size: never a view on a pooled or larger buffer.
  const body = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.length;
  }
  return body;
}
