/** @module SigV4 request signing for every Stratus client (the CLI, tests, bench) on @smithy/signature-v4, the library whose canonical request the server verifies against. */
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';

/** Node's native SHA-256 in the shape the library takes (the pure-JS one is slow for multi-megabyte bodies). */
export class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

/** Any further field (the token of temporary keys) reaches the library as given, which signs and sends it as the SDKs do. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface SignerOptions {
  region: string;
  /** A function is called on the first signature only, so a caller that never sends never needs keys. */
  credentials: SigningCredentials | (() => SigningCredentials);
}

export interface RequestToSign {
  method: string;
  /** Where the request goes: the path is signed as it will be sent (already percent-encoded), the query with every value of a repeated name. */
  url: URL;
  /** Headers to sign and send; `host` defaults to the URL's. */
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Sign as of this time instead of now (a client with a wrong clock). */
  signingDate?: Date;
}

export interface RequestSigner {
  /** The headers to send: the given ones plus `host`, `x-amz-date`, `x-amz-content-sha256`, `authorization`. */
  sign(request: RequestToSign): Promise<Record<string, string>>;
}

/** A signer for service `lambda`, configured as the AWS SDKs sign (path escaped per segment, body hash sent). */
export function createRequestSigner(options: SignerOptions): RequestSigner {
  let library: SignatureV4 | undefined;
  const credentials = () => (typeof options.credentials === 'function' ? options.credentials() : options.credentials);
  return {
    async sign({ method, url, headers, body, signingDate }) {
      library ??= new SignatureV4({ service: 'lambda', region: options.region, credentials: credentials(), sha256: Sha256 });
      const signed = await library.sign(
        new HttpRequest({
          method,
          protocol: url.protocol,
          hostname: url.hostname,
          port: url.port ? Number(url.port) : undefined,
          path: url.pathname,
          query: queryOf(url),
          headers: { host: url.host, ...headers },
          body,
        }),
        { signingDate },
      );
      return signed.headers as Record<string, string>;
    },
  };
}

/** The URL's query as the library takes it: a repeated name keeps all its values, as the SDKs sign them. */
function queryOf(url: URL): Record<string, string | string[]> {
  const query: Record<string, string | string[]> = {};
  url.searchParams.forEach((value, name) => {
    const had = query[name];
    query[name] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  });
  return query;
}
