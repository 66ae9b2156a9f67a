/**
 * @module Egress policies: which hosts a function's outbound requests may reach. Entries are parsed
 * strictly once (a bad one is refused naming the entry and the fix), then matched against request
 * URLs; kept in shared/ so that the control plane (which stores them) and the runtime (which
 * enforces them) read one definition. Host names are normalized by WHATWG URL (IDNA, case, numeric
 * IPv4 forms), the same parser that reads the request URLs they are matched against.
 */
import net from 'node:net';
import { stratusError } from './errors.ts';

export type EgressScheme = 'https' | 'http';

/** One parsed entry: `api.example.com`, `*.stripe.com`, `api.example.com:8443`, `http://10.0.0.5:8080`. */
export interface EgressRule {
  readonly scheme: EgressScheme;
  /** Lower-case ASCII (IDNA) name without a trailing dot, IPv4 dotted quad, or IPv6 in brackets; for a wildcard, the domain after `*.`. */
  readonly host: string;
  /** `*.domain`: every subdomain of `host`, at any depth, but not `host` itself. */
  readonly wildcard: boolean;
  /**
   * Set when the entry is an IP address (without brackets): the only kind of entry that lets a
   * loopback, private, link-local or metadata address be reached (see runtime/egress/).
   */
  readonly ip?: string;
  readonly port: number;
}

/** Where a function's effective policy came from: its EgressPolicy field, or the function's tag `stratus:egress`. */
export type EgressSource = 'EgressPolicy' | 'tag';

/** What an environment gets: the parsed rules of the one source that applies (absent policy: no outbound request at all). */
export interface EgressPolicy {
  readonly rules: readonly EgressRule[];
  readonly source: EgressSource;
}

/** The tag whose value sets a function's policy when its EgressPolicy field is not set. */
export const EGRESS_TAG = 'stratus:egress';
/** Entries one policy may list. */
export const MAX_EGRESS_ENTRIES = 100;
const DEFAULT_PORT: Record<EgressScheme, number> = { https: 443, http: 80 };
const TAG_FIELD = `Tags.${EGRESS_TAG}`;

/** Parses a list of entries (the EgressPolicy field); `field` names it in errors. */
export function parseEgressEntries(entries: readonly string[], field = 'AllowedHosts'): EgressRule[] {
  if (entries.length > MAX_EGRESS_ENTRIES) throw stratusError('REQUEST_INVALID_PARAMETER.egressTooMany', { field, count: entries.length, max: MAX_EGRESS_ENTRIES });
  const rules = entries.map((entry) => parseEntry(entry, field));
  // Duplicates are harmless but would show twice: the first of each canonical form is kept.
  const seen = new Set<string>();
  return rules.filter((r) => {
    const key = formatEgressRule(r);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Parses the value of the tag `stratus:egress`: entries separated by commas and/or spaces. */
export function parseEgressTag(value: string): EgressRule[] {
  if (value.length > 256) throw stratusError('REQUEST_INVALID_PARAMETER.egressTagTooLong', { length: value.length });
  const entries = value.split(/[\s,]+/).filter((e) => e !== '');
  return parseEgressEntries(entries, TAG_FIELD);
}

/** The canonical text of a rule: the scheme only when http, the port only when not the scheme's default. */
export function formatEgressRule(rule: EgressRule): string {
  const scheme = rule.scheme === 'https' ? '' : 'http://';
  const port = rule.port === DEFAULT_PORT[rule.scheme] ? '' : `:${rule.port}`;
  return `${scheme}${rule.wildcard ? '*.' : ''}${rule.host}${port}`;
}

/** A request URL's host as rules name hosts: lower case, no trailing dot, IPv6 in brackets (WHATWG URL did the rest). */
export function urlHost(url: URL): string {
  return url.hostname.replace(/\.$/, '');
}

/** The port a URL connects to. */
export function urlPort(url: URL): number {
  return url.port === '' ? DEFAULT_PORT[url.protocol === 'http:' ? 'http' : 'https'] : Number(url.port);
}

/** The first rule that allows this http(s) URL (scheme, host and port), if any. */
export function matchEgress(policy: EgressPolicy | undefined, url: URL): EgressRule | undefined {
  if (!policy) return undefined;
  const scheme = url.protocol.slice(0, -1);
  const host = urlHost(url);
  const port = urlPort(url);
  return policy.rules.find((r) => r.scheme === scheme && r.port === port && (r.wildcard ? host.endsWith(`.${r.host}`) : host === r.host));
}

/** Whether the policy lists this IP address itself (as an IP entry) for this scheme and port: the exception for guarded address ranges. */
export function listsAddress(policy: EgressPolicy | undefined, ip: string, scheme: EgressScheme, port: number): boolean {
  const bare = ip.toLowerCase();
  return policy?.rules.some((r) => r.ip === bare && r.scheme === scheme && r.port === port) ?? false;
}

function parseEntry(raw: string, field: string): EgressRule {
  const entry = raw.trim();
  if (entry === '') throw stratusError('REQUEST_INVALID_PARAMETER.egressEmpty', { field });
  let rest = entry;
  let scheme: EgressScheme = 'https';
  const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(entry);
  if (schemeMatch) {
    const given = schemeMatch[1]!.toLowerCase();
    if (given !== 'https' && given !== 'http') throw stratusError('REQUEST_INVALID_PARAMETER.egressScheme', { field, entry, scheme: given });
    scheme = given;
    rest = entry.slice(schemeMatch[0].length);
  }
  if (/[/?#@\\\s]/.test(rest)) throw stratusError('REQUEST_INVALID_PARAMETER.egressExtra', { field, entry });
  const { host, port } = splitHostPort(rest, entry, field);
  const portNumber = port === undefined ? DEFAULT_PORT[scheme] : Number(port);
  if (port !== undefined && (!/^\d{1,5}$/.test(port) || portNumber < 1 || portNumber > 65535)) {
    throw stratusError('REQUEST_INVALID_PARAMETER.egressPort', { field, entry, port });
  }
  const wildcard = host.startsWith('*.');
  const name = wildcard ? host.slice(2) : host;
  if (name.includes('*')) throw stratusError('REQUEST_INVALID_PARAMETER.egressWildcard', { field, entry });
  const normalized = normalizeHost(name, entry, field);
  if (wildcard && (normalized.ip !== undefined || normalized.host.split('.').length < 2)) {
    throw stratusError('REQUEST_INVALID_PARAMETER.egressWildcard', { field, entry });
  }
  return normalized.ip === undefined
    ? { scheme, host: normalized.host, wildcard, port: portNumber }
    : { scheme, host: normalized.host, wildcard: false, ip: normalized.ip, port: portNumber };
}

function splitHostPort(rest: string, entry: string, field: string): { host: string; port?: string } {
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    const after = close === -1 ? '' : rest.slice(close + 1);
    if (close === -1 || (after !== '' && !after.startsWith(':'))) throw stratusError('REQUEST_INVALID_PARAMETER.egressHost', { field, entry });
    return after === '' ? { host: rest.slice(0, close + 1) } : { host: rest.slice(0, close + 1), port: after.slice(1) };
  }
  const colons = rest.split(':').length - 1;
  // More than one colon without brackets: an IPv6 address, which needs brackets to tell it from a port.
  if (colons > 1) throw stratusError('REQUEST_INVALID_PARAMETER.egressHost', { field, entry });
  if (colons === 0) return { host: rest };
  const at = rest.indexOf(':');
  return { host: rest.slice(0, at), port: rest.slice(at + 1) };
}

function normalizeHost(host: string, entry: string, field: string): { host: string; ip?: string } {
  if (host === '') throw stratusError('REQUEST_INVALID_PARAMETER.egressHost', { field, entry });
  let hostname: string;
  try {
    hostname = new URL(`https://${host}/`).hostname;
  } catch {
    throw stratusError('REQUEST_INVALID_PARAMETER.egressHost', { field, entry });
  }
  if (hostname.startsWith('[')) return { host: hostname, ip: hostname.slice(1, -1) };
  const name = hostname.replace(/\.$/, '');
  if (net.isIPv4(name)) {
    // 2130706433, 0x7f.1 and 127.1 all mean 127.0.0.1: a policy says it the one plain way, so a reader sees what it allows.
    if (host.toLowerCase().replace(/\.$/, '') !== name) throw stratusError('REQUEST_INVALID_PARAMETER.egressIpForm', { field, entry, canonical: name });
    return { host: name, ip: name };
  }
  const labels = name.split('.');
  if (name.length > 253 || labels.some((l) => !/^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/.test(l))) {
    throw stratusError('REQUEST_INVALID_PARAMETER.egressHost', { field, entry });
  }
  return { host: name };
}
