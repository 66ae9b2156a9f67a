/** @module SigV4 (header form) verification: the server recomputes the client's signature over @smithy/signature-v4's canonical request. */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { stratusError } from '../shared/errors.ts';
import { Sha256 } from '../shared/sigv4-signer.ts';

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** The parts of an Authorization header, checked for form but not yet for truth. */
export interface ParsedAuth {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  signingDate: Date;
}

/** Structural checks that need no body: header form, scope, clock skew. Cheap, run before the body is read. */
export function parseAuthorization(headers: Record<string, string | string[] | undefined>, expectedRegion: string, now: number): ParsedAuth {
  const auth = headers.authorization;
  if (auth === undefined) {
    throw stratusError('AUTH_MISSING');
  }
  const m = typeof auth === 'string' ? AUTH.exec(auth) : null;
  if (!m) {
    throw stratusError('AUTH_INCOMPLETE.header');
  }
  const [, accessKeyId, scopeDate, region, service, signed, signature] = m as unknown as string[];
  const amzDate = headers['x-amz-date'];
  const d = typeof amzDate === 'string' ? AMZ_DATE.exec(amzDate) : null;
  if (!d) throw stratusError('AUTH_INCOMPLETE.date');
  const signingDate = new Date(Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!));
  if (`${d[1]}${d[2]}${d[3]}` !== scopeDate) throw stratusError('AUTH_BAD_SIGNATURE.scopeDate');
  if (service !== 'lambda') throw stratusError('AUTH_BAD_SIGNATURE.service', { service: service! });
  if (region !== expectedRegion) {
    throw stratusError('AUTH_BAD_SIGNATURE.region', { region: expectedRegion });
  }
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw stratusError('AUTH_CLOCK_SKEW', { signedAt: amzDate as string, serverTime: new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '') });
  }
  const signedHeaders = signed!.split(';');
  if (!signedHeaders.includes('host')) throw stratusError('AUTH_INCOMPLETE.hostNotSigned');
  return { accessKeyId: accessKeyId!, scopeDate: scopeDate!, region: region!, service: service!, signedHeaders, signature: signature!, signingDate };
}

export interface SignedRequest {
  method: string;
  /** The raw URL as received: path (still percent-encoded) and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  /** The body's hex SHA-256 when it was computed while the body streamed in. */
  bodySha256?: string;
}

const MAX_SIGNERS = 10_000;
const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Headers @smithy/signature-v4 drops before it signs (it sets x-amz-date itself): a client signing them signed something else. */
const GENERATED = new Set(['authorization', 'date']);

/** Opens the library's canonical-request writer (protected in its typings) to the verifier. */
class CanonicalWriter extends SignatureV4 {
  write(request: HttpRequest, canonicalHeaders: Record<string, string>, payloadHash: string): string {
    return this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
  }
}

interface Signer {
  /** @smithy/signature-v4's canonical path (normalized, URI-escaped twice) and canonical query, kept as the library writes them. */
  canonical: CanonicalWriter;
  secret: string;
  /** The derived key of the last scope used: `${shortDate}/${region}/${service}`. */
  scope: string;
  key: Buffer;
}

const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/**
 * Verifies signatures the way @smithy/signature-v4 would sign the same request, without its
 * asynchronous hashing: that signer spends six promise hops and five hashes per request (it
 * re-hashes the body and the credentials each time), which was a quarter of the server's busy
 * time under load. The canonical request is still written by the library (path and query
 * escaping); hashing and the HMAC chain run synchronously on node:crypto, with the derived key
 * kept per access key and day. `sigv4.test.ts` checks every result against the library's own signer.
 */
export function createSignatureVerifier(): (req: SignedRequest, auth: ParsedAuth, secretAccessKey: string) => Promise<void> {
  const signers = new Map<string, Signer>();
  const signerFor = (auth: ParsedAuth, secretAccessKey: string): Signer => {
    const id = `${auth.accessKeyId}\u0000${auth.region}`;
    const hit = signers.get(id);
    if (hit && hit.secret === secretAccessKey) return hit;
    if (signers.size >= MAX_SIGNERS) signers.delete(signers.keys().next().value!);
    const canonical = new CanonicalWriter({
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
      region: auth.region,
      service: auth.service,
      sha256: Sha256,
      uriEscapePath: true,
      applyChecksum: false,
    });
    const signer: Signer = { canonical, secret: secretAccessKey, scope: '', key: Buffer.alloc(0) };
    signers.set(id, signer);
    return signer;
  };
  return async (req, auth, secretAccessKey) => verifySignature(req, auth, signerFor(auth, secretAccessKey));
}

function signingKey(signer: Signer, shortDate: string, region: string, service: string): Buffer {
  const scope = `${shortDate}/${region}/${service}`;
  if (signer.scope !== scope) {
    signer.key = hmac(hmac(hmac(hmac(`AWS4${signer.secret}`, shortDate), region), service), 'aws4_request');
    signer.scope = scope;
  }
  return signer.key;
}

const joined = (value: string | string[]) => (Array.isArray(value) ? value.join(',') : value);

/** Recomputes the signature over the received request and compares in constant time. */
function verifySignature(req: SignedRequest, auth: ParsedAuth, signer: Signer): void {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1))) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  // One pass over SignedHeaders, as the library signs: generated headers dropped, x-amz-date from
  // the signing time, values joined, trimmed and folded.
  const longDate = auth.signingDate
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:]/g, '');
  const canonicalHeaders: Record<string, string> = Object.create(null);
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) throw stratusError('AUTH_BAD_SIGNATURE.unsignedHeader', { name });
    if (GENERATED.has(name) || name === 'x-amz-date') continue;
    canonicalHeaders[name] = joined(value)
      .replace(/[\r\n]/g, ' ')
      .replace(/[ \t]+/g, ' ')
      .replace(/^ | $/g, '');
  }
  canonicalHeaders['x-amz-date'] = longDate;
  const bodyHash = req.bodySha256 ?? createHash('sha256').update(req.body).digest('hex');
  const declared = req.headers['x-amz-content-sha256'];
  if (auth.signedHeaders.includes('x-amz-content-sha256') && declared !== undefined && joined(declared) !== bodyHash) {
    throw stratusError('AUTH_BAD_SIGNATURE.bodyHash');
  }
  // The library writes the canonical path and query; headers are already canonical.
  const canonicalRequest = signer.canonical.write(new HttpRequest({ method: req.method, protocol: 'http:', hostname: 'stratus', path, query }), canonicalHeaders, bodyHash);
  const shortDate = longDate.slice(0, 8);
  const scope = `${shortDate}/${auth.region}/${auth.service}/aws4_request`;
  const stringToSign = `${ALGORITHM}\n${longDate}\n${scope}\n${createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')}`;
  const expected = createHmac('sha256', signingKey(signer, shortDate, auth.region, auth.service))
    .update(stringToSign, 'utf8')
    .digest('hex');
  const ok = expected.length === auth.signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
  if (!ok) {
    throw stratusError('AUTH_BAD_SIGNATURE.mismatch');
  }
}
