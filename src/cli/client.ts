/** @module A small SigV4-signed HTTP client for the Stratus API: sign with service `lambda`, send with fetch, map errors. */
import { createRequestSigner, type RequestSigner } from '../shared/sigv4-signer.ts';
import type { Credentials } from './credentials.ts';
import { displayEndpoint } from './config.ts';
import { ApiError, ConnectionError } from './errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ApiRequest {
  method: HttpMethod;
  /** Path below the endpoint, with every dynamic segment already encoded by `encodeSegment`. */
  path: string;
  query?: Record<string, string | number | undefined>;
  /** A JSON value (sent as application/json), or raw text sent with `contentType`. */
  json?: unknown;
  raw?: string;
  contentType?: string;
  headers?: Record<string, string>;
  /** Told as the body goes out (`sent` of `total` bytes), ending with `sent === total`; the body is then streamed. */
  onUpload?: UploadProgress;
}

export type UploadProgress = (sent: number, total: number) => void;

/** Bytes handed to the connection per step of an observed upload (a stream body needs `duplex: 'half'`, which the DOM typings lack). */
const UPLOAD_CHUNK = 64 * 1024;

export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
}

export interface ClientOptions {
  endpoint: URL;
  region: string;
  /** Called on the first request only, so commands that fail before talking to the server never need keys. */
  credentials: () => Credentials;
  fetch?: typeof fetch;
}

/**
 * Encodes one path segment the way the AWS SDKs do (RFC 3986: `encodeURIComponent` plus `!'()*`),
 * so `name:qualifier` and ARNs reach the server as one segment and sign identically.
 */
export function encodeSegment(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export class StratusClient {
  readonly endpoint: URL;
  readonly region: string;
  private readonly fetchImpl: typeof fetch;
  private readonly signer: RequestSigner;

  constructor(options: ClientOptions) {
    this.endpoint = options.endpoint;
    this.region = options.region;
    this.fetchImpl = options.fetch ?? fetch;
    this.signer = createRequestSigner({ region: options.region, credentials: options.credentials });
  }

  /** Sends a signed request; resolves for 2xx/3xx, throws `ApiError` or `ConnectionError` otherwise. */
  async request(req: ApiRequest): Promise<ApiResponse> {
    const query = definedQuery(req.query);
    const body = req.json !== undefined ? JSON.stringify(req.json) : req.raw;
    const headers: Record<string, string> = { ...req.headers };
    if (body !== undefined) headers['content-type'] = req.json !== undefined ? 'application/json' : (req.contentType ?? 'application/octet-stream');
    // An endpoint may carry a path prefix (a reverse proxy mounting Stratus below `/stratus`).
    const path = this.endpoint.pathname.replace(/\/+$/, '') + req.path;

    const url = `${this.endpoint.origin}${path}${formatQuery(query)}`;
    const signed = await this.signer.sign({ method: req.method, url: new URL(url), headers, body });
    // fetch sets Host from the URL, the same value that was signed; sending it again would be redundant at best.
    const sendHeaders = Object.fromEntries(Object.entries(signed).filter(([name]) => name.toLowerCase() !== 'host'));

    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(url, { method: req.method, ...requestBody(body, sendHeaders, req.onUpload) });
      text = await response.text();
    } catch (err) {
      throw new ConnectionError(displayEndpoint(this.endpoint), networkReason(err));
    }
    if (response.status >= 400) throw apiErrorFrom(response.status, response.headers, text);
    return { status: response.status, headers: response.headers, text };
  }

  /** Sends a request and parses the JSON body (an empty body parses to `{}`). */
  async requestJson<T>(req: ApiRequest): Promise<T> {
    const res = await this.request(req);
    if (res.text.trim() === '') return {} as T;
    try {
      return JSON.parse(res.text) as T;
    } catch {
      throw new ApiError('InvalidResponse', `the server at ${displayEndpoint(this.endpoint)} answered ${req.method} ${req.path} with a body that is not JSON`, res.status);
    }
  }
}

/**
 * Headers and body as fetch takes them: the body as is, or, when someone watches the upload, as a
 * stream that counts what fetch has pulled. The length is declared, so the server gets the same
 * request either way (not a chunked one), and the signature, computed over the whole body, holds.
 */
function requestBody(body: string | undefined, headers: Record<string, string>, onUpload: UploadProgress | undefined): RequestInit & { duplex?: 'half' } {
  if (body === undefined || onUpload === undefined) return { headers, body };
  const bytes = Buffer.from(body, 'utf8');
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= bytes.byteLength) {
        controller.close();
        return;
      }
      const chunk = bytes.subarray(sent, sent + UPLOAD_CHUNK);
      sent += chunk.byteLength;
      controller.enqueue(chunk);
      onUpload(sent, bytes.byteLength);
    },
  });
  return { headers: { ...headers, 'content-length': String(bytes.byteLength) }, body: stream, duplex: 'half' };
}

/**
 * Builds the error for a failed response. The exception name comes from `x-amzn-ErrorType`
 * (which AWS may suffix with `:<url>`), the message from the body's `message` or `Message`.
 */
export function apiErrorFrom(status: number, headers: Headers, text: string): ApiError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed !== null && typeof parsed === 'object') body = parsed as Record<string, unknown>;
  } catch {
    // A proxy in front of the server may answer with HTML or plain text; the status still says enough.
  }
  const headerType = headers.get('x-amzn-errortype')?.split(':')[0]?.trim();
  const bodyType = typeof body.__type === 'string' ? body.__type.split('#').pop() : undefined;
  const name = headerType || bodyType || `HTTP ${status}`;
  const rawMessage = body.message ?? body.Message;
  const message = typeof rawMessage === 'string' && rawMessage !== '' ? rawMessage : fallbackMessage(status, text);
  return new ApiError(name, message, status);
}

function fallbackMessage(status: number, text: string): string {
  const trimmed = text.trim();
  if (trimmed !== '' && trimmed.length <= 200 && !trimmed.startsWith('<')) return trimmed;
  return `the server answered with status ${status}`;
}

function definedQuery(query: ApiRequest['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query ?? {})) if (value !== undefined) out[key] = String(value);
  return out;
}

/** Encodes the query exactly as SigV4 canonicalises it, so what is signed is what is sent. */
function formatQuery(query: Record<string, string>): string {
  const parts = Object.keys(query)
    .sort()
    .map((key) => `${encodeSegment(key)}=${encodeSegment(query[key]!)}`);
  return parts.length > 0 ? `?${parts.join('&')}` : '';
}

/** Digs the useful code (ECONNREFUSED, ENOTFOUND, ...) out of undici's `fetch failed` wrapper. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: unknown })?.cause ?? err;
  const first = cause instanceof AggregateError ? cause.errors[0] : cause;
  const code = (first as NodeJS.ErrnoException | undefined)?.code;
  if (code) return code;
  return first instanceof Error ? first.message : String(first);
}
