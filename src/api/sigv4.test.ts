// The SigV4 verifier against @smithy/signature-v4 itself: whatever the library signs (as the AWS SDKs do) verifies, and any change to what was signed does not.
import { createHash } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import { createRequestSigner, Sha256 } from '../shared/sigv4-signer.ts';
import { createSignatureVerifier, parseAuthorization, type SignedRequest } from './sigv4.ts';

const REGION = 'us-east-1';
const creds = { accessKeyId: 'AKIDEXAMPLE000000001', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };

const client = new SignatureV4({ credentials: creds, region: REGION, service: 'lambda', sha256: Sha256, uriEscapePath: true });

/** A small seeded generator, so a failure names the case that reproduces it. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => ((x ^= x << 13), (x ^= x >>> 17), (x ^= x << 5), (x >>> 0) / 2 ** 32);
  return { next, pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const SEGMENTS = ['functions', 'my-fn', 'a b', 'ünï', '%2F', 'x%20y', '.', '..', 'fn:1', "it's", 'a+b', '~tilde', '(paren)', '*'];
const QUERY_KEYS = ['Qualifier', 'Marker', 'MaxItems', 'a b', 'ä', 'x'];
const QUERY_VALUES = ['1', '$LATEST', 'a b', 'a+b', 'ü', '', '=', '&', 'x/y'];
const HEADER_VALUES = ['plain', '  padded  ', 'a   b\tc', 'RequestResponse', 'Tail', 'tenant-1', 'ü'];

/** Builds a random request the way a client would send it, signs it with the library, and returns what the server receives. */
async function signedRandom(seed: number): Promise<{ req: SignedRequest; signedAt: Date }> {
  const r = rng(seed);
  const segments = Array.from({ length: 1 + Math.floor(r.next() * 4) }, () => r.pick(SEGMENTS));
  const rawPath = `/2015-03-31/${segments.join('/')}${r.next() < 0.2 ? '/' : ''}`;
  const path = rawPath
    .split('/')
    .map((s) => encodeURIComponent(decodeURIComponentSafe(s)))
    .join('/');
  const query: Record<string, string | string[]> = {};
  for (let i = Math.floor(r.next() * 3); i > 0; i--) {
    const key = r.pick(QUERY_KEYS);
    const value = r.pick(QUERY_VALUES);
    const prev = query[key];
    query[key] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [prev, value];
  }
  const body = Buffer.from(JSON.stringify({ n: r.next(), s: r.pick(HEADER_VALUES) }));
  const headers: Record<string, string> = { host: '127.0.0.1:9070', 'content-type': 'application/json' };
  if (r.next() < 0.5) headers['x-amz-invocation-type'] = r.pick(HEADER_VALUES);
  if (r.next() < 0.5) headers['x-amz-tenant-id'] = r.pick(HEADER_VALUES);
  if (r.next() < 0.3) headers['x-amz-content-sha256'] = createHash('sha256').update(body).digest('hex');
  if (r.next() < 0.3) headers['user-agent'] = 'aws-sdk-js/3'; // never signed
  const signedAt = new Date(Date.UTC(2026, 10, 24, 3, 0, Math.floor(r.next() * 3600)));
  const signed = await client.sign(
    new HttpRequest({ method: r.pick(['GET', 'POST', 'PUT', 'DELETE']), protocol: 'http:', hostname: '127.0.0.1', port: 9070, path, query, headers, body }),
    { signingDate: signedAt },
  );
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) qs.append(k, one);
  const url = `${path}${Object.keys(query).length ? `?${qs.toString().replace(/\+/g, '%20')}` : ''}`;
  const lower: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) lower[k.toLowerCase()] = v;
  return { req: { method: signed.method, url, headers: lower, body }, signedAt };
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

const verify = createSignatureVerifier();
const check = (req: SignedRequest, signedAt: Date, secret = creds.secretAccessKey) => verify(req, parseAuthorization(req.headers, REGION, signedAt.getTime()), secret);

describe('SigV4 verifier against the library signer', () => {
  it('accepts 300 random requests signed by @smithy/signature-v4 (odd paths, repeated and escaped queries, padded header values)', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const { req, signedAt } = await signedRandom(seed);
      await expect(check(req, signedAt), `seed ${seed}: ${req.method} ${req.url}`).resolves.toBeUndefined();
    }
  });

  it('refuses each request once anything signed is changed: body, a signed header, path, query, method, time or secret', async () => {
    const mutations: [string, (req: SignedRequest) => SignedRequest][] = [
      ['body', (q) => ({ ...q, body: Buffer.concat([q.body, Buffer.from(' ')]) })],
      ['content-type', (q) => ({ ...q, headers: { ...q.headers, 'content-type': 'text/plain' } })],
      ['path', (q) => ({ ...q, url: q.url.replace('/2015-03-31/', '/2015-03-31/x/') })],
      ['query', (q) => ({ ...q, url: `${q.url}${q.url.includes('?') ? '&' : '?'}Extra=1` })],
      ['method', (q) => ({ ...q, method: q.method === 'GET' ? 'POST' : 'GET' })],
    ];
    for (let seed = 1; seed <= 40; seed++) {
      const { req, signedAt } = await signedRandom(seed);
      for (const [what, mutate] of mutations) {
        await expect(check(mutate(req), signedAt), `seed ${seed}, changed ${what}`).rejects.toMatchObject({ code: 'AUTH_BAD_SIGNATURE' });
      }
      await expect(check(req, signedAt, `${creds.secretAccessKey}x`), `seed ${seed}, other secret`).rejects.toMatchObject({ code: 'AUTH_BAD_SIGNATURE' });
      const later = { ...req, headers: { ...req.headers, 'x-amz-date': new Date(signedAt.getTime() + 1000).toISOString().replace(/[-:]|\.\d{3}/g, '') } };
      await expect(check(later, signedAt), `seed ${seed}, other time`).rejects.toMatchObject({ code: 'AUTH_BAD_SIGNATURE' });
    }
  });

  it('still verifies an unsigned header changing (it was never signed)', async () => {
    const { req, signedAt } = await signedRandom(7);
    await expect(check({ ...req, headers: { ...req.headers, 'user-agent': 'something else', 'x-forwarded-for': '10.0.0.1' } }, signedAt)).resolves.toBeUndefined();
  });

  it('keeps working across signing days for the same key (the derived key is per day)', async () => {
    const day1 = await signedRandom(11);
    const signedAt2 = new Date(day1.signedAt.getTime() + 86_400_000);
    const signed = await client.sign(
      new HttpRequest({ method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: 9070, path: '/2015-03-31/functions', headers: { host: '127.0.0.1:9070' } }),
      { signingDate: signedAt2 },
    );
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(signed.headers)) lower[k.toLowerCase()] = v;
    await expect(check(day1.req, day1.signedAt)).resolves.toBeUndefined();
    await expect(check({ method: 'GET', url: '/2015-03-31/functions', headers: lower, body: Buffer.alloc(0) }, signedAt2)).resolves.toBeUndefined();
    await expect(check(day1.req, day1.signedAt)).resolves.toBeUndefined();
  });
});

describe('the signer every Stratus client uses (CLI, tests, bench)', () => {
  const signer = createRequestSigner({ region: REGION, credentials: creds });
  const received = async (method: string, url: URL, body: string, signingDate: Date, headers: Record<string, string> = {}): Promise<SignedRequest> => {
    const signed = await signer.sign({ method, url, headers, body, signingDate });
    const lower = Object.fromEntries(Object.entries(signed).map(([k, v]) => [k.toLowerCase(), v]));
    return { method, url: `${url.pathname}${url.search}`, headers: lower, body: Buffer.from(body) };
  };

  it('produces requests the server accepts: escaped segments, repeated and escaped query values, extra headers', async () => {
    const signedAt = new Date(Date.UTC(2026, 10, 24, 3, 0, 0));
    const urls = [
      'http://127.0.0.1:9070/2015-03-31/functions/my-fn%3Alive/invocations',
      'http://127.0.0.1:9070/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A000000000000%3Afunction%3Afn?Qualifier=%24LATEST',
      'http://127.0.0.1:9070/2015-03-31/functions/?Marker=a%20b&MaxItems=1&MaxItems=2&x=a%2Bb',
      'http://localhost/stratus/v1/accounts',
    ];
    for (const url of urls) {
      const req = await received('POST', new URL(url), '{"n":1}', signedAt, { 'content-type': 'application/json', 'x-amz-tenant-id': ' tenant-1 ' });
      await expect(check(req, signedAt), url).resolves.toBeUndefined();
      await expect(check({ ...req, body: Buffer.from('{"n":2}') }, signedAt), `${url} with another body`).rejects.toMatchObject({ code: 'AUTH_BAD_SIGNATURE' });
    }
  });

  it('asks for credentials once, on the first signature', async () => {
    let asked = 0;
    const lazy = createRequestSigner({ region: REGION, credentials: () => (asked++, creds) });
    expect(asked).toBe(0);
    const url = new URL('http://127.0.0.1:9070/2015-03-31/functions');
    const signedAt = new Date(Date.UTC(2026, 10, 24, 3, 0, 0));
    for (let i = 0; i < 2; i++) {
      const headers = await lazy.sign({ method: 'GET', url, signingDate: signedAt });
      await expect(check({ method: 'GET', url: url.pathname, headers, body: Buffer.alloc(0) }, signedAt)).resolves.toBeUndefined();
    }
    expect(asked).toBe(1);
  });
});
