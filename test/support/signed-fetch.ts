/** @module Test support: raw HTTP requests signed (or mis-signed) with SigV4, for cases the SDK would not send. */
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';

class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

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
  const headers: Record<string, string> = { host: url.host, 'content-type': 'application/json', ...opts.headers };
  let finalHeaders = headers;
  if (!opts.unsigned) {
    const signer = new SignatureV4({ credentials: opts.credentials, region: opts.region ?? 'us-east-1', service: 'lambda', sha256: Sha256 });
    // A repeated parameter is signed with all its values, as the SDKs sign it.
    const query: Record<string, string | string[]> = {};
    url.searchParams.forEach((v, k) => {
      const had = query[k];
      query[k] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
    });
    const signed = await signer.sign(
      new HttpRequest({ method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: url.pathname, query, headers, body }),
      { signingDate: opts.signingDate },
    );
    finalHeaders = signed.headers as Record<string, string>;
  }
  const res = await fetch(url, { method, headers: finalHeaders, signal: opts.signal, body: (opts.sendBody ?? body) === undefined ? undefined : new Uint8Array(Buffer.from((opts.sendBody ?? body)!)) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
}
