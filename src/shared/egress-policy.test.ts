// Egress policy entries: strict parsing with errors naming the entry and the fix, canonical forms, and matching of request URLs.
import { describe, expect, it } from 'vitest';
import { formatEgressRule, listsAddress, matchEgress, parseEgressEntries, parseEgressTag, type EgressPolicy } from './egress-policy.ts';

const policy = (...entries: string[]): EgressPolicy => ({ rules: parseEgressEntries(entries), source: 'EgressPolicy' });
const allows = (p: EgressPolicy, url: string) => matchEgress(p, new URL(url)) !== undefined;
const canonical = (...entries: string[]) => parseEgressEntries(entries).map(formatEgressRule);

describe('egress policy entries', () => {
  it('default to https on 443; a port or http:// must be named', () => {
    const p = policy('api.example.com');
    expect(allows(p, 'https://api.example.com/v1')).toBe(true);
    expect(allows(p, 'https://api.example.com:443/v1')).toBe(true);
    expect(allows(p, 'http://api.example.com/')).toBe(false);
    expect(allows(p, 'https://api.example.com:8443/')).toBe(false);
    expect(allows(policy('api.example.com:8443'), 'https://api.example.com:8443/')).toBe(true);
    expect(allows(policy('http://api.example.com'), 'http://api.example.com/')).toBe(true);
    expect(allows(policy('http://api.example.com'), 'https://api.example.com/')).toBe(false);
    expect(allows(policy('http://api.example.com:8080'), 'http://api.example.com:8080/')).toBe(true);
  });

  it('match a wildcard on subdomains at any depth, never the bare domain or a look-alike', () => {
    const p = policy('*.stripe.com');
    expect(allows(p, 'https://api.stripe.com/')).toBe(true);
    expect(allows(p, 'https://a.b.stripe.com/')).toBe(true);
    expect(allows(p, 'https://stripe.com/')).toBe(false);
    expect(allows(p, 'https://evilstripe.com/')).toBe(false);
    expect(allows(p, 'https://stripe.com.evil.net/')).toBe(false);
  });

  it('match host names case-insensitively, with or without a trailing dot, and in IDNA form', () => {
    const p = policy('API.Example.com.', 'bücher.example');
    expect(allows(p, 'https://api.example.com./')).toBe(true);
    expect(allows(p, 'https://xn--bcher-kva.example/')).toBe(true);
    expect(canonical('API.Example.com.', 'bücher.example')).toEqual(['api.example.com', 'xn--bcher-kva.example']);
  });

  it('write entries back in one canonical form, and drop duplicates', () => {
    expect(canonical('https://a.example.com:443', 'a.example.com', 'HTTP://b.example.com:80', '[0:0:0:0:0:0:0:1]:8080', '*.x.example.com')).toEqual([
      'a.example.com',
      'http://b.example.com',
      '[::1]:8080',
      '*.x.example.com',
    ]);
  });

  it('mark IP entries, which alone may open guarded address ranges, for their scheme and port', () => {
    const p = policy('http://127.0.0.1:8080', '[fd00::1]');
    expect(listsAddress(p, '127.0.0.1', 'http', 8080)).toBe(true);
    expect(listsAddress(p, '127.0.0.1', 'http', 8081)).toBe(false);
    expect(listsAddress(p, '127.0.0.1', 'https', 8080)).toBe(false);
    expect(listsAddress(p, 'fd00::1', 'https', 443)).toBe(true);
    expect(listsAddress(policy('localhost'), '127.0.0.1', 'https', 443)).toBe(false);
  });

  it.each([
    ['', 'REQUEST_INVALID_PARAMETER', /has an empty entry/],
    ['ftp://files.example.com', 'REQUEST_INVALID_PARAMETER', /'ftp:\/\/files\.example\.com' uses the scheme ftp: only https/],
    ['https://api.example.com/v1', 'REQUEST_INVALID_PARAMETER', /holds more than a host: leave out paths/],
    ['user@api.example.com', 'REQUEST_INVALID_PARAMETER', /leave out paths, queries, user names/],
    ['api.example.com:0', 'REQUEST_INVALID_PARAMETER', /has the port 0: a port is a whole number from 1 to 65535/],
    ['api.example.com:99999', 'REQUEST_INVALID_PARAMETER', /has the port 99999/],
    ['api.example.com:https', 'REQUEST_INVALID_PARAMETER', /has the port https/],
    ['*', 'REQUEST_INVALID_PARAMETER', /'\*' is not an allowed wildcard.*a bare \* is never allowed/],
    ['*.com', 'REQUEST_INVALID_PARAMETER', /'\*\.com' is not an allowed wildcard/],
    ['api.*.example.com', 'REQUEST_INVALID_PARAMETER', /is not an allowed wildcard/],
    ['*.10.0.0.5', 'REQUEST_INVALID_PARAMETER', /is not an allowed wildcard/],
    ['a..example.com', 'REQUEST_INVALID_PARAMETER', /is not a host name or an IP address/],
    ['fd00::1', 'REQUEST_INVALID_PARAMETER', /an IPv6 address in brackets such as \[fd00::1\]/],
    ['2130706433', 'REQUEST_INVALID_PARAMETER', /'2130706433' writes an IP address in a shortened or numeric form: write it as 127\.0\.0\.1/],
    ['0x7f.1', 'REQUEST_INVALID_PARAMETER', /write it as 127\.0\.0\.1/],
  ])('refuse %j, naming the entry and the fix', (entry, code, message) => {
    const err = (() => {
      try {
        parseEgressEntries([entry]);
      } catch (e) {
        return e as Error & { code: string };
      }
      throw new Error('accepted');
    })();
    expect(err.code).toBe(code);
    expect(err.message).toMatch(/^AllowedHosts: /);
    expect(err.message).toMatch(message);
  });

  it('refuse more than 100 entries', () => {
    expect(() => parseEgressEntries(Array.from({ length: 101 }, (_, i) => `h${i}.example.com`))).toThrow(/lists 101 entries; an egress policy has at most 100/);
  });
});

describe('the stratus:egress tag', () => {
  it('takes entries separated by commas and/or spaces', () => {
    expect(parseEgressTag('api.example.com,*.stripe.com:443  http://10.0.0.5:8080, ').map(formatEgressRule)).toEqual(['api.example.com', '*.stripe.com', 'http://10.0.0.5:8080']);
    expect(parseEgressTag('')).toEqual([]);
  });

  it('names the tag in its errors', () => {
    expect(() => parseEgressTag('api.example.com,ftp://x.example.com')).toThrow(/^Tags\.stratus:egress: 'ftp:\/\/x\.example\.com' uses the scheme ftp/);
    expect(() => parseEgressTag('a'.repeat(257))).toThrow(/stratus:egress is 257 characters long; a tag value has at most 256/);
  });
});
