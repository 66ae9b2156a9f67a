/**
 * @module Test support for the egress fetcher: real HTTP servers on loopback addresses that count
 * what reaches them, a lookup that resolves test names to chosen addresses (the tests reach no
 * other network), and a fetcher under a policy written as entries.
 */
import type { LookupAddress } from 'node:dns';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createEgressFetcher, egressLimits, type EgressFetcherOptions, type EgressLimits, type LookupFunction } from '../../src/runtime/egress/index.ts';
import { parseEgressEntries } from '../../src/shared/egress-policy.ts';

export interface CountingServer {
  host: string;
  port: number;
  /** http://host:port (IPv6 in brackets). */
  origin: string;
  /** Requests that reached the server, and the sockets opened to it. */
  requests: http.IncomingMessage[];
  connections(): number;
  close(): Promise<void>;
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

const ok: Handler = (_req, res) => {
  res.setHeader('connection', 'close');
  res.end('reached');
};

export async function countingServer(host = '127.0.0.1', handler: Handler = ok, port = 0): Promise<CountingServer> {
  const requests: http.IncomingMessage[] = [];
  let connections = 0;
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  return {
    host,
    port: bound,
    origin: `http://${net.isIPv6(host) ? `[${host}]` : host}:${bound}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Two servers on one port number: one on 127.0.0.1, one on 127.0.0.2 (a name that rebinds moves between them). */
export async function serverPair(first: Handler = ok, second: Handler = ok): Promise<[CountingServer, CountingServer]> {
  for (let attempt = 0; ; attempt++) {
    const a = await countingServer('127.0.0.1', first);
    try {
      return [a, await countingServer('127.0.0.2', second, a.port)];
    } catch (err) {
      await a.close();
      if (attempt > 20) throw err;
    }
  }
}

/** Resolves names from a table: a list of addresses, or a function called on each lookup. Unknown names do not resolve. */
export function fakeLookup(table: Record<string, string[] | (() => string[])>): LookupFunction & { calls: string[] } {
  const calls: string[] = [];
  const lookup = (hostname: string, _options: unknown, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => {
    calls.push(hostname);
    const entry = table[hostname];
    if (entry === undefined) {
      const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
      process.nextTick(() => callback(err, []));
      return;
    }
    const addresses = (typeof entry === 'function' ? entry() : entry).map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
    process.nextTick(() => callback(null, addresses));
  };
  return Object.assign(lookup, { calls });
}

/** A fetcher whose policy is these entries (none: no policy at all), with a generous deadline unless one is given. */
export function fetcherFor(entries: string[] | undefined, options: Partial<Omit<EgressFetcherOptions, 'policy' | 'limits'>> & { limits?: Partial<EgressLimits> } = {}) {
  const { limits, ...rest } = options;
  return createEgressFetcher({
    policy: entries === undefined ? undefined : { rules: parseEgressEntries(entries), source: 'EgressPolicy' },
    limits: { ...egressLimits({ memoryMb: 128, deadline: Date.now() + 20_000 }), ...limits },
    ...rest,
  });
}
