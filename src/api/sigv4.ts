/** @module SigV4 (header form) verification: the server recomputes the client's signature with @smithy/signature-v4. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { HttpRequest } from '@smithy/protocol-http';
import { Hash } from '@smithy/hash-node';
import { stratusError } from '../shared/errors.ts';

const AUTH = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([^/,\s]+)\/([^/,\s]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
export const MAX_CLOCK_SKEW_MS = 5 * 60 * 1000;

/** Node's native SHA-256 (the pure-JS one is slow for multi-megabyte bodies). */
class Sha256 extends Hash {
  constructor(secret?: ConstructorParameters<typeof Hash>[1]) {
    super('sha256', secret);
  }
}

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
    throw stratusError('AUTH_MISSING', 'Missing Authentication Token: sign the request with AWS Signature Version 4 (the AWS SDKs, the AWS CLI and the stratus CLI do this for you).');
  }
  const m = typeof auth === 'string' ? AUTH.exec(auth) : null;
  if (!m) {
    throw stratusError('AUTH_INCOMPLETE', "Authorization header is not a valid AWS4-HMAC-SHA256 header: it needs 'Credential=KEY/DATE/REGION/lambda/aws4_request, SignedHeaders=..., Signature=...'.");
  }
  const [, accessKeyId, scopeDate, region, service, signed, signature] = m as unknown as string[];
  const amzDate = headers['x-amz-date'];
  const d = typeof amzDate === 'string' ? AMZ_DATE.exec(amzDate) : null;
  if (!d) throw stratusError('AUTH_INCOMPLETE', 'Missing or malformed X-Amz-Date header: send the signing time as YYYYMMDDTHHMMSSZ.');
  const signingDate = new Date(Date.UTC(+d[1]!, +d[2]! - 1, +d[3]!, +d[4]!, +d[5]!, +d[6]!));
  if (`${d[1]}${d[2]}${d[3]}` !== scopeDate) throw stratusError('AUTH_BAD_SIGNATURE', 'The credential scope date does not match X-Amz-Date.');
  if (service !== 'lambda') throw stratusError('AUTH_BAD_SIGNATURE', `Credential should be scoped to correct service: 'lambda', not '${service}'.`);
  if (region !== expectedRegion) {
    throw stratusError('AUTH_BAD_SIGNATURE', `Credential should be scoped to a valid region: this Stratus serves '${expectedRegion}', set your client's region to it.`);
  }
  if (Math.abs(now - signingDate.getTime()) > MAX_CLOCK_SKEW_MS) {
    throw stratusError(
      'AUTH_CLOCK_SKEW',
      `Signature expired: ${amzDate} is outside 5 minutes of the server time ${new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '')}. Check the client's clock.`,
    );
  }
  const signedHeaders = signed!.split(';');
  if (!signedHeaders.includes('host')) throw stratusError('AUTH_INCOMPLETE', 'SignedHeaders must include host.');
  return { accessKeyId: accessKeyId!, scopeDate: scopeDate!, region: region!, service: service!, signedHeaders, signature: signature!, signingDate };
}

export interface SignedRequest {
  method: string;
  /** The raw URL as received: path (still percent-encoded) and query. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

const MAX_SIGNERS = 10_000;

/**
 * Verifies signatures, keeping one signer per access key: the signer caches its derived signing
 * key per day, which saves four HMACs per request.
 */
export function createSignatureVerifier(): (req: SignedRequest, auth: ParsedAuth, secretAccessKey: string) => Promise<void> {
  const signers = new Map<string, { secret: string; signer: SignatureV4 }>();
  const signerFor = (auth: ParsedAuth, secretAccessKey: string): SignatureV4 => {
    const key = `${auth.accessKeyId}\u0000${auth.region}`;
    const hit = signers.get(key);
    if (hit && hit.secret === secretAccessKey) return hit.signer;
    if (signers.size >= MAX_SIGNERS) signers.delete(signers.keys().next().value!);
    const signer = new SignatureV4({
      credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
      region: auth.region,
      service: auth.service,
      sha256: Sha256,
      uriEscapePath: true,
      applyChecksum: false,
    });
    signers.set(key, { secret: secretAccessKey, signer });
    return signer;
  };
  return (req, auth, secretAccessKey) => verifySignature(req, auth, signerFor(auth, secretAccessKey));
}

/** Recomputes the signature over the received request and compares in constant time. */
async function verifySignature(req: SignedRequest, auth: ParsedAuth, signer: SignatureV4): Promise<void> {
  const q = req.url.indexOf('?');
  const path = q === -1 ? req.url : req.url.slice(0, q);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(q === -1 ? '' : req.url.slice(q + 1))) {
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) {
    const value = req.headers[name];
    if (value === undefined) throw stratusError('AUTH_BAD_SIGNATURE', `Header '${name}' is listed in SignedHeaders but is not in the request.`);
    headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const bodyHash = createHash('sha256').update(req.body).digest('hex');
  const declared = headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== bodyHash) {
    throw stratusError('AUTH_BAD_SIGNATURE', 'X-Amz-Content-Sha256 does not match the request body: the body must be signed (unsigned payloads are not accepted).');
  }
  const signed = await signer.sign(new HttpRequest({ method: req.method, protocol: 'http:', hostname: 'stratus', path, query, headers, body: req.body }), {
    signingDate: auth.signingDate,
    signableHeaders: new Set(auth.signedHeaders),
  });
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1] ?? '';
  const ok = expected.length === auth.signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
  if (!ok) {
    throw stratusError(
      'AUTH_BAD_SIGNATURE',
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    );
  }
}
