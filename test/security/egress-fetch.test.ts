// The host-side fetcher under an egress policy, against real HTTP servers on loopback addresses:
// forbidden addresses in every spelling, names that resolve (or rebind) to them, redirects towards
// them, and the per-invocation limits. Every refusal is checked by its code and by the server it
// protects: nothing reached it. Test names resolve through an injected lookup; no other network is used.
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import type { EgressResult } from '../../src/runtime/egress/index.ts';
import { countingServer, fakeLookup, fetcherFor, serverPair, type CountingServer } from './egress-support.ts';

const servers: CountingServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});
async function serve(...args: Parameters<typeof countingServer>): Promise<CountingServer> {
  const s = await countingServer(...args);
  servers.push(s);
  return s;
}
async function pair(...args: Parameters<typeof serverPair>) {
  const p = await serverPair(...args);
  servers.push(...p);
  return p;
}
const text = (r: EgressResult) => (r.ok ? Buffer.from(r.body).toString('utf8') : r.message);

describe('addresses that are never reachable unless listed', () => {
  it.each([
    ['127.0.0.1', (p: number) => `http://127.0.0.1:${p}/`, 'loopback'],
    ['2130706433 (decimal)', (p: number) => `http://2130706433:${p}/`, 'loopback'],
    ['0x7f.1 (hex, short)', (p: number) => `http://0x7f.1:${p}/`, 'loopback'],
    ['0177.0.0.1 (octal)', (p: number) => `http://0177.0.0.1:${p}/`, 'loopback'],
    ['[::ffff:127.0.0.1] (IPv4-mapped)', (p: number) => `http://[::ffff:127.0.0.1]:${p}/`, 'loopback'],
    ['[::ffff:7f00:1] (IPv4-mapped, hex)', (p: number) => `http://[::ffff:7f00:1]:${p}/`, 'loopback'],
    ['[::127.0.0.1] (IPv4-compatible)', (p: number) => `http://[::127.0.0.1]:${p}/`, 'loopback'],
    ['0.0.0.0', (p: number) => `http://0.0.0.0:${p}/`, 'unspecified'],
  ])('refuses %s before connecting, naming the address and the fix', async (_name, url, range) => {
    const target = await serve('127.0.0.1');
    const lookup = fakeLookup({});
    const fetcher = fetcherFor(['*.example.com', 'http://*.example.com'], { lookup });
    const res = await fetcher.fetch({ url: url(target.port) });
    fetcher.close();
    expect(res.ok).toBe(false);
    expect(res).toMatchObject({ code: 'EGRESS_ADDRESS_REFUSED' });
    expect(text(res)).toContain(`a ${range} address`);
    expect(text(res)).toContain(`never reachable unless the address itself is listed in the function's egress policy`);
    expect(target.connections()).toBe(0);
    expect(lookup.calls).toEqual([]);
  });

  it('refuses [::1], with the same guard on IPv6', async () => {
    const target = await serve('::1');
    const fetcher = fetcherFor(['*.example.com']);
    const res = await fetcher.fetch({ url: `${target.origin}/` });
    fetcher.close();
    expect(res).toMatchObject({ ok: false, code: 'EGRESS_ADDRESS_REFUSED' });
    expect(text(res)).toMatch(/^fetch to http:\/\/\[::1\]:\d+ refused: \[::1\] is ::1, a loopback address/);
    expect(text(res)).toContain(`add http://[::1]:${target.port} to it`);
    expect(target.connections()).toBe(0);
  });

  it('refuses the cloud metadata addresses, IPv4 and IPv6, even with a policy that lists other hosts', async () => {
    const fetcher = fetcherFor(['api.example.com', 'http://api.example.com']);
    for (const url of ['http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'http://[fd00:ec2::254]/latest/meta-data/', 'http://[::ffff:169.254.169.254]/']) {
      const res = await fetcher.fetch({ url });
      expect(res).toMatchObject({ ok: false, code: 'EGRESS_ADDRESS_REFUSED' });
      expect(text(res)).toContain('a cloud metadata address');
    }
    fetcher.close();
  });

  it('refuses private and link-local literals with the message naming the entry that would allow them', async () => {
    const fetcher = fetcherFor(['api.example.com']);
    const res = await fetcher.fetch({ url: 'http://10.0.0.5:8080/internal' });
    expect(text(res)).toBe(
      "fetch to http://10.0.0.5:8080 refused: 10.0.0.5 is 10.0.0.5, a private address; private addresses are never reachable unless the address itself is listed in the function's egress policy (add http://10.0.0.5:8080 to it)",
    );
    expect(await fetcher.fetch({ url: 'https://[fe80::1]/' })).toMatchObject({ code: 'EGRESS_ADDRESS_REFUSED' });
    expect(await fetcher.fetch({ url: 'https://100.64.1.1/' })).toMatchObject({ code: 'EGRESS_ADDRESS_REFUSED' });
    fetcher.close();
  });

  it('reaches a loopback address only when the policy lists that address, scheme and port', async () => {
    const target = await serve('127.0.0.1');
    const other = fetcherFor([`http://127.0.0.1:${target.port + 1}`, `127.0.0.1:${target.port}`]);
    expect(await other.fetch({ url: `${target.origin}/` })).toMatchObject({ code: 'EGRESS_ADDRESS_REFUSED' });
    other.close();
    expect(target.connections()).toBe(0);
    const listed = fetcherFor([`http://127.0.0.1:${target.port}`]);
    const res = await listed.fetch({ url: `${target.origin}/` });
    listed.close();
    expect(res).toMatchObject({ ok: true, status: 200 });
    expect(text(res)).toBe('reached');
    expect(target.requests).toHaveLength(1);
  });

  it('refuses localhost. (trailing dot) and *.localhost as loopback, whether or not the policy names them', async () => {
    const target = await serve('127.0.0.1');
    const named = fetcherFor([`http://localhost:${target.port}`]);
    const res = await named.fetch({ url: `http://localhost.:${target.port}/` });
    named.close();
    expect(res).toMatchObject({ ok: false, code: 'EGRESS_ADDRESS_REFUSED' });
    expect(text(res)).toContain(`localhost is 127.0.0.1 or ::1, a loopback address`);
    expect(text(res)).toContain(`add http://127.0.0.1:${target.port} to it`);
    const unnamed = fetcherFor(['api.example.com']);
    expect(await unnamed.fetch({ url: `http://localhost.:${target.port}/` })).toMatchObject({ code: 'EGRESS_ADDRESS_REFUSED' });
    expect(await unnamed.fetch({ url: `http://sub.localhost:${target.port}/` })).toMatchObject({ code: 'EGRESS_ADDRESS_REFUSED' });
    unnamed.close();
    expect(target.connections()).toBe(0);
  });
});

describe('names that resolve to guarded addresses', () => {
  it('refuses a name that resolves to loopback, at connect time, and nothing reaches the server', async () => {
    const target = await serve('127.0.0.1');
    const lookup = fakeLookup({ 'evil.test': ['127.0.0.1'] });
    const fetcher = fetcherFor([`http://evil.test:${target.port}`], { lookup });
    const res = await fetcher.fetch({ url: `http://evil.test:${target.port}/` });
    fetcher.close();
    expect(res).toMatchObject({ ok: false, code: 'EGRESS_ADDRESS_REFUSED' });
    expect(text(res)).toContain('evil.test is 127.0.0.1, a loopback address');
    expect(text(res)).toContain(`add http://127.0.0.1:${target.port} to it`);
    expect(lookup.calls).toEqual(['evil.test']);
    expect(target.connections()).toBe(0);
  });

  it('reaches a name resolving to a guarded address when that address is listed too (how a test stands in for a public host)', async () => {
    const target = await serve('127.0.0.1');
    const lookup = fakeLookup({ 'allowed.test': ['127.0.0.1'] });
    const fetcher = fetcherFor([`http://allowed.test:${target.port}`, `http://127.0.0.1:${target.port}`], { lookup });
    const res = await fetcher.fetch({ url: `http://allowed.test:${target.port}/path?q=1` });
    fetcher.close();
    expect(res).toMatchObject({ ok: true, status: 200, redirected: false, url: `http://allowed.test:${target.port}/path?q=1` });
    expect(target.requests.map((r) => [r.url, r.headers.host])).toEqual([['/path?q=1', `allowed.test:${target.port}`]]);
  });

  it('refuses a name when any of its addresses is guarded and unlisted', async () => {
    const [a, b] = await pair();
    const lookup = fakeLookup({ 'mixed.test': ['127.0.0.1', '127.0.0.2'] });
    const fetcher = fetcherFor([`http://mixed.test:${a.port}`, `http://127.0.0.1:${a.port}`], { lookup });
    expect(await fetcher.fetch({ url: `http://mixed.test:${a.port}/` })).toMatchObject({ code: 'EGRESS_ADDRESS_REFUSED' });
    fetcher.close();
    expect(a.connections() + b.connections()).toBe(0);
  });

  it('is not fooled by DNS rebinding: the address checked is the address connected to, on every connection', async () => {
    // "Public" is played by the listed 127.0.0.1 (the tests reach no public address); the rebound answer is 127.0.0.2.
    const [allowed, forbidden] = await pair();
    let answers = 0;
    const lookup = fakeLookup({ 'rebind.test': () => (answers++ === 0 ? ['127.0.0.1'] : ['127.0.0.2']) });
    const fetcher = fetcherFor([`http://rebind.test:${allowed.port}`, `http://127.0.0.1:${allowed.port}`], { lookup });
    const first = await fetcher.fetch({ url: `http://rebind.test:${allowed.port}/` });
    const second = await fetcher.fetch({ url: `http://rebind.test:${allowed.port}/` });
    fetcher.close();
    expect(first).toMatchObject({ ok: true, status: 200 });
    expect(second).toMatchObject({ ok: false, code: 'EGRESS_ADDRESS_REFUSED' });
    expect(text(second)).toContain('rebind.test is 127.0.0.2, a loopback address');
    // One lookup per connection, made by the connection itself: no separate check for an answer to change behind.
    expect(lookup.calls).toEqual(['rebind.test', 'rebind.test']);
    expect(allowed.requests).toHaveLength(1);
    expect(forbidden.connections()).toBe(0);
  });
});

describe('redirects', () => {
  it('checks every hop: a redirect from an allowed host to a forbidden address reaches nothing', async () => {
    const forbiddenV6 = await serve('::1');
    const [, forbidden] = await pair();
    const targets = [`http://127.0.0.2:${forbidden.port}/`, `${forbiddenV6.origin}/`, 'http://169.254.169.254/latest/meta-data/', `http://2130706433:${forbidden.port}/`];
    let hop = 0;
    const allowed = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(302, { location: targets[hop++ % targets.length], connection: 'close' });
      res.end();
    });
    const fetcher = fetcherFor([`http://127.0.0.1:${allowed.port}`, 'http://169.254.169.254.example.com']);
    for (const _ of targets) {
      const res = await fetcher.fetch({ url: `${allowed.origin}/start` });
      expect(res).toMatchObject({ ok: false, code: 'EGRESS_ADDRESS_REFUSED' });
    }
    fetcher.close();
    expect(allowed.requests).toHaveLength(targets.length);
    expect(forbidden.connections()).toBe(0);
    expect(forbiddenV6.connections()).toBe(0);
  });

  it('refuses a redirect to a host the policy does not list, and to a scheme other than http(s)', async () => {
    const locations = ['https://elsewhere.example.net/', 'file:///etc/passwd', 'data:text/plain,hello'];
    let hop = 0;
    const allowed = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(307, { location: locations[hop++]!, connection: 'close' });
      res.end();
    });
    const lookup = fakeLookup({});
    const fetcher = fetcherFor([`http://127.0.0.1:${allowed.port}`], { lookup });
    const codes = [];
    for (const _ of locations) codes.push(((await fetcher.fetch({ url: allowed.origin })) as { code?: string }).code);
    fetcher.close();
    expect(codes).toEqual(['EGRESS_HOST_NOT_ALLOWED', 'EGRESS_SCHEME_NOT_ALLOWED', 'EGRESS_SCHEME_NOT_ALLOWED']);
    expect(lookup.calls).toEqual([]);
  });

  it('follows allowed redirects, turning a 303 into a GET and keeping credentials to their own origin', async () => {
    const lookup = fakeLookup({ 'one.test': ['127.0.0.1'], 'two.test': ['127.0.0.1'] });
    const seen: Array<[string | undefined, string, string | undefined]> = [];
    const server = await serve('127.0.0.1', (req, res) => {
      seen.push([req.headers.host, req.method!, req.headers.authorization]);
      if (req.headers.host?.startsWith('one.test')) res.writeHead(303, { location: `http://two.test:${server.port}/done`, connection: 'close' });
      else res.writeHead(200, { connection: 'close' });
      res.end('ok');
    });
    const fetcher = fetcherFor([`http://one.test:${server.port}`, `http://two.test:${server.port}`, `http://127.0.0.1:${server.port}`], { lookup });
    const res = await fetcher.fetch({
      url: `http://one.test:${server.port}/`,
      method: 'POST',
      body: new TextEncoder().encode('{}'),
      headers: [['authorization', 'Bearer secret']],
    });
    fetcher.close();
    expect(res).toMatchObject({ ok: true, status: 200, redirected: true, url: `http://two.test:${server.port}/done` });
    expect(seen).toEqual([
      [`one.test:${server.port}`, 'POST', 'Bearer secret'],
      [`two.test:${server.port}`, 'GET', undefined],
    ]);
  });

  it('stops after 10 redirects, each counted as a subrequest; manual mode returns the 3xx itself', async () => {
    const loop = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(302, { location: '/again', connection: 'close' });
      res.end();
    });
    const fetcher = fetcherFor([`http://127.0.0.1:${loop.port}`]);
    expect(await fetcher.fetch({ url: loop.origin })).toMatchObject({ code: 'EGRESS_TOO_MANY_REDIRECTS' });
    expect(fetcher.usage().subrequests).toBe(11);
    expect(await fetcher.fetch({ url: loop.origin, redirect: 'manual' })).toMatchObject({ ok: true, status: 302, redirected: false });
    expect(await fetcher.fetch({ url: loop.origin, redirect: 'error' })).toMatchObject({ code: 'EGRESS_REDIRECT_ERROR' });
    fetcher.close();
    expect(loop.requests).toHaveLength(13);
  });
});

describe('limits of one invocation', () => {
  it('makes at most 50 subrequests out of 10,000 asked for; the rest are refused without a connection', async () => {
    const target = await serve('127.0.0.1');
    const fetcher = fetcherFor([`http://127.0.0.1:${target.port}`]);
    const codes = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const res = await fetcher.fetch({ url: `${target.origin}/${i}` });
      const key = res.ok ? String(res.status) : res.code;
      codes.set(key, (codes.get(key) ?? 0) + 1);
    }
    fetcher.close();
    expect(Object.fromEntries(codes)).toEqual({ 200: 50, EGRESS_SUBREQUEST_LIMIT: 9_950 });
    expect(target.requests).toHaveLength(50);
    expect(fetcher.usage().subrequests).toBe(50);
  });

  it('cuts a 1 GB response off at the cap, reading no more than a little past it', async () => {
    const GIB = 1024 ** 3;
    let written = 0;
    const huge = await serve('127.0.0.1', (_req, res) => {
      const chunk = Buffer.alloc(64 * 1024, 7);
      res.writeHead(200, { 'content-type': 'application/octet-stream' });
      const pump = () => {
        while (written < GIB) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => res.removeAllListeners('drain'));
      pump();
    });
    const fetcher = fetcherFor([`http://127.0.0.1:${huge.port}`], { limits: { maxResponseBytes: 8 * 1024 * 1024 } });
    const res = await fetcher.fetch({ url: huge.origin });
    fetcher.close();
    expect(res).toMatchObject({ ok: false, code: 'EGRESS_RESPONSE_TOO_LARGE' });
    expect(text(res)).toContain('over 8388608 bytes');
    // What the server got into its socket before the fetcher hung up: the cap plus socket buffers, not the gigabyte.
    expect(written).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a response whose Content-Length is over the cap before reading it, and a compressed body that inflates past it', async () => {
    const bomb = zlib.gzipSync(Buffer.alloc(32 * 1024 * 1024));
    const server = await serve('127.0.0.1', (req, res) => {
      if (req.url === '/declared') res.writeHead(200, { 'content-length': String(1024 ** 3), connection: 'close' });
      else res.writeHead(200, { 'content-encoding': 'gzip', 'content-length': String(bomb.length), connection: 'close' });
      res.end(req.url === '/declared' ? undefined : bomb);
    });
    const fetcher = fetcherFor([`http://127.0.0.1:${server.port}`], { limits: { maxResponseBytes: 8 * 1024 * 1024 } });
    expect(await fetcher.fetch({ url: `${server.origin}/declared` })).toMatchObject({ code: 'EGRESS_RESPONSE_TOO_LARGE' });
    expect(await fetcher.fetch({ url: `${server.origin}/bomb` })).toMatchObject({ code: 'EGRESS_RESPONSE_TOO_LARGE' });
    fetcher.close();
  });

  it('gives up on a response still arriving at the invocation deadline', async () => {
    const slow = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200);
      res.write('partial');
      // ...and never ends.
    });
    const fetcher = fetcherFor([`http://127.0.0.1:${slow.port}`], { limits: { deadline: Date.now() + 300 } });
    const res = await fetcher.fetch({ url: slow.origin });
    fetcher.close();
    expect(res).toMatchObject({ ok: false, code: 'EGRESS_TIMEOUT' });
    expect(text(res)).toContain("before the invocation's deadline");
  });

  it('opens no connection once the deadline has passed, and stops open requests when the invocation ends', async () => {
    const slow = await serve('127.0.0.1', () => {});
    const late = fetcherFor([`http://127.0.0.1:${slow.port}`], { limits: { deadline: Date.now() - 1 } });
    expect(await late.fetch({ url: slow.origin })).toMatchObject({ code: 'EGRESS_TIMEOUT' });
    late.close();
    expect(slow.connections()).toBe(0);
    const ended = new AbortController();
    const fetcher = fetcherFor([`http://127.0.0.1:${slow.port}`], { signal: ended.signal });
    const pending = fetcher.fetch({ url: slow.origin });
    setTimeout(() => ended.abort(), 50);
    expect(await pending).toMatchObject({ code: 'EGRESS_ABORTED' });
    fetcher.close();
  });
});

describe('what a fetch sends and returns', () => {
  it('refuses everything when the function has no policy, opening no connection', async () => {
    const target = await serve('127.0.0.1');
    const lookup = fakeLookup({ 'api.example.com': ['127.0.0.1'] });
    const fetcher = fetcherFor(undefined, { lookup });
    const res = await fetcher.fetch({ url: 'https://api.example.com/v1/charges' });
    fetcher.close();
    expect(text(res)).toBe(
      "fetch to https://api.example.com refused: the function has no egress policy, so it may make no outbound requests; allow api.example.com in the function's EgressPolicy (stratus egress set, or stratus deploy --allow-host) or its tag stratus:egress",
    );
    expect(lookup.calls).toEqual([]);
    expect(target.connections()).toBe(0);
  });

  it('names the missing entry when a host, scheme or port is not in the policy', async () => {
    const fetcher = fetcherFor(['api.example.com']);
    expect(text(await fetcher.fetch({ url: 'http://api.example.com/' }))).toBe(
      "fetch to http://api.example.com refused: not allowed by the function's egress policy (set by its EgressPolicy field); add http://api.example.com to it",
    );
    expect(text(await fetcher.fetch({ url: 'https://api.example.com:8443/' }))).toContain('add api.example.com:8443 to it');
    expect(await fetcher.fetch({ url: 'https://evilapi.example.com/' })).toMatchObject({ code: 'EGRESS_HOST_NOT_ALLOWED' });
    expect(await fetcher.fetch({ url: 'not a url' })).toMatchObject({ code: 'EGRESS_INVALID_URL' });
    expect(await fetcher.fetch({ url: 'https://api.example.com/', method: 'CONNECT' })).toMatchObject({ code: 'EGRESS_INVALID_METHOD' });
    expect(await fetcher.fetch({ url: 'https://api.example.com/', headers: [['x-a', 'b\r\nx-injected: 1']] })).toMatchObject({ code: 'EGRESS_INVALID_HEADER' });
    fetcher.close();
  });

  it('uses no proxy from the host environment, and sends only the headers the guest set plus Host, User-Agent and Accept-Encoding', async () => {
    const proxy = await serve('127.0.0.1');
    const target = await serve('127.0.0.1');
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY };
    process.env.HTTP_PROXY = process.env.http_proxy = proxy.origin;
    delete process.env.NO_PROXY;
    try {
      const fetcher = fetcherFor([`http://127.0.0.1:${target.port}`]);
      const res = await fetcher.fetch({
        url: target.origin,
        headers: [
          ['x-trace', '1'],
          ['connection', 'upgrade'],
          ['host', 'spoofed.example'],
        ],
      });
      fetcher.close();
      expect(res).toMatchObject({ ok: true, status: 200 });
    } finally {
      for (const [k, v] of Object.entries(saved)) v === undefined ? delete process.env[k] : (process.env[k] = v);
    }
    expect(proxy.connections()).toBe(0);
    const headers = target.requests[0]!.headers;
    expect(Object.keys(headers).sort()).toEqual(['accept-encoding', 'connection', 'host', 'user-agent', 'x-trace']);
    expect(headers.host).toBe(`127.0.0.1:${target.port}`);
    expect(headers.connection).not.toBe('upgrade');
  });

  it('returns copies: header pairs and a fresh, exact-size, plain Uint8Array body', async () => {
    const target = await serve('127.0.0.1', (_req, res) => {
      res.setHeader('set-cookie', ['a=1', 'b=2']);
      res.setHeader('connection', 'close');
      res.end(zlib.gzipSync('hello'), () => {});
    });
    const gz = await serve('127.0.0.1', (_req, res) => {
      res.writeHead(200, { 'content-encoding': 'gzip', connection: 'close' });
      res.end(zlib.gzipSync('decoded as fetch does'));
    });
    const fetcher = fetcherFor([`http://127.0.0.1:${target.port}`, `http://127.0.0.1:${gz.port}`]);
    const res = await fetcher.fetch({ url: target.origin });
    const decoded = await fetcher.fetch({ url: gz.origin });
    fetcher.close();
    if (!res.ok) throw new Error(res.message);
    expect(Object.getPrototypeOf(res.body)).toBe(Uint8Array.prototype);
    expect(res.body.byteOffset).toBe(0);
    expect(res.body.buffer.byteLength).toBe(res.body.length);
    expect(res.headers.filter(([n]) => n === 'set-cookie')).toEqual([
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
    ]);
    expect(text(decoded)).toBe('decoded as fetch does');
  });

  it('copies a request body at once, so later writes by the guest change nothing sent', async () => {
    let received = '';
    const target = await serve('127.0.0.1', (req, res) => {
      req.setEncoding('utf8');
      req.on('data', (d: string) => (received += d));
      req.on('end', () => res.end());
    });
    const shared = new Uint8Array(new SharedArrayBuffer(5));
    shared.set(new TextEncoder().encode('first'));
    const fetcher = fetcherFor([`http://127.0.0.1:${target.port}`]);
    const pending = fetcher.fetch({ url: target.origin, method: 'POST', body: shared });
    shared.set(new TextEncoder().encode('later'));
    await pending;
    fetcher.close();
    expect(received).toBe('first');
  });
});
