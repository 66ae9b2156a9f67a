/** @module Test support: raw HTTP requests signed (or mis-signed) with SigV4, for cases the SDK would not send. */
import { createRequestSigner } from '../../src/shared/sigv4-signer.ts';

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  json(): Record<string, unknown>;
}

export interface SignOptions {
  credentials: { accessKeyId: string; secretAccessKey: string };
  region?: string;
  signingDate?: Date;
  headers?: Record<string, string>;
  /** Leave the request unsigned. */
  unsigned?: boolean;
  /** Send this body instead of the one that was signed (tampering). */
  sendBody?: string;
  /** Abort the request (a client that goes away). */
  signal?: AbortSignal;
}

export async function signedFetch(base: string, method: string, pathAndQuery: string, body: string | Buffer | undefined, opts: SignOptions): Promise<RawResponse> {
  const url = new URL(pathAndQuery, base);
  const headers: Record<string, string> = { 'content-type': 'application/json', ...opts.headers };
  const signer = createRequestSigner({ credentials: opts.credentials, region: opts.region ?? 'us-east-1' });
  const finalHeaders = opts.unsigned ? headers : await signer.sign({ method, url, headers, body, signingDate: opts.signingDate });
  const res = await fetch(url, {
    method,
    headers: finalHeaders,
    signal: opts.signal,
    body: (opts.sendBody ?? body) === undefined ? undefined : new Uint8Array(Buffer.from((opts.sendBody ?? body)!)),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}
