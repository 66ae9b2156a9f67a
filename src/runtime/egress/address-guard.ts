/**
 * @module Which IP addresses a function's outbound request never reaches unless its policy lists
 * the address itself: loopback, private, shared (CGNAT), link-local, cloud metadata, unique-local,
 * multicast, unspecified and reserved ranges, in IPv4 and IPv6, including the IPv6 forms that carry
 * an IPv4 address (mapped, compatible, NAT64, 6to4). Ranges are checked with net.BlockList; the
 * embedded-IPv4 forms BlockList does not cover are unpacked here by hand (a dozen lines, no library
 * does only this).
 */
import net from 'node:net';

/** The kind of guarded range an address is in; it names the range in the refusal a function sees. */
export type GuardedRange = 'loopback' | 'private' | 'shared (CGNAT)' | 'link-local' | 'cloud metadata' | 'unique-local' | 'multicast' | 'unspecified' | 'reserved';

type Rule = readonly [range: GuardedRange, address: string, prefix: number];

// Order matters: the first list a range matches names it (metadata before link-local and unique-local).
const IPV4: readonly Rule[] = [
  ['cloud metadata', '169.254.169.254', 32], // AWS, GCP, Azure, OpenStack instance metadata
  ['cloud metadata', '168.63.129.16', 32], // Azure wire server
  ['cloud metadata', '100.100.100.200', 32], // Alibaba Cloud metadata
  ['unspecified', '0.0.0.0', 8],
  ['private', '10.0.0.0', 8],
  ['shared (CGNAT)', '100.64.0.0', 10],
  ['loopback', '127.0.0.0', 8],
  ['link-local', '169.254.0.0', 16],
  ['private', '172.16.0.0', 12],
  ['reserved', '192.0.0.0', 24], // IETF protocol assignments
  ['reserved', '192.0.2.0', 24], // documentation
  ['reserved', '192.88.99.0', 24], // 6to4 relay anycast
  ['private', '192.168.0.0', 16],
  ['reserved', '198.18.0.0', 15], // benchmarking
  ['reserved', '198.51.100.0', 24], // documentation
  ['reserved', '203.0.113.0', 24], // documentation
  ['multicast', '224.0.0.0', 4],
  ['reserved', '240.0.0.0', 4], // including 255.255.255.255
];

const IPV6: readonly Rule[] = [
  ['cloud metadata', 'fd00:ec2::254', 128], // AWS instance metadata over IPv6
  ['unspecified', '::', 128],
  ['loopback', '::1', 128],
  ['reserved', '64:ff9b:1::', 48], // local-use NAT64
  ['reserved', '100::', 64], // discard-only
  ['reserved', '2001::', 32], // Teredo: the IPv4 address inside is obfuscated, so it cannot be checked
  ['reserved', '2001:db8::', 32], // documentation
  ['unique-local', 'fc00::', 7],
  ['link-local', 'fe80::', 10],
  ['private', 'fec0::', 10], // deprecated site-local
  ['multicast', 'ff00::', 8],
];

const v4Rules = IPV4.map(([range, address, prefix]) => {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, 'ipv4');
  return { range, list };
});
const v6Rules = IPV6.map(([range, address, prefix]) => {
  const list = new net.BlockList();
  list.addSubnet(address, prefix, 'ipv6');
  return { range, list };
});

/** The guarded range an address (IPv4 or IPv6 text, an optional `%zone` ignored) is in, or undefined for an ordinary public address. */
export function guardedRange(address: string): GuardedRange | undefined {
  const ip = address.split('%')[0]!.toLowerCase();
  if (net.isIPv4(ip)) return v4Rules.find((r) => r.list.check(ip, 'ipv4'))?.range;
  if (!net.isIPv6(ip)) return 'reserved'; // not an address at all: never connect to it
  const embedded = embeddedIPv4(ip);
  // A deprecated IPv4-compatible address is refused whatever it carries, named by what it carries when that is guarded too.
  if (embedded) return embedded.deprecated ? (guardedRange(embedded.v4) ?? 'reserved') : guardedRange(embedded.v4);
  return v6Rules.find((r) => r.list.check(ip, 'ipv6'))?.range;
}

/**
 * The IPv4 address an IPv6 address stands for, where the packet would reach it: mapped
 * (::ffff:a.b.c.d), NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::). IPv4-compatible
 * (::a.b.c.d) is deprecated and always refused. Undefined: a plain IPv6 address.
 */
function embeddedIPv4(ip: string): { v4: string; deprecated: boolean } | undefined {
  const words = ipv6Words(ip);
  const quad = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
  const zeros = (from: number, to: number) => words.slice(from, to).every((w) => w === 0);
  if (zeros(0, 5) && words[5] === 0xffff) return { v4: quad(words[6]!, words[7]!), deprecated: false };
  // ::/96 less :: and ::1, which the IPv6 list names.
  if (zeros(0, 6) && (words[6] !== 0 || words[7]! > 1)) return { v4: quad(words[6]!, words[7]!), deprecated: true };
  if (words[0] === 0x64 && words[1] === 0xff9b && zeros(2, 6)) return { v4: quad(words[6]!, words[7]!), deprecated: false };
  if (words[0] === 0x2002) return { v4: quad(words[1]!, words[2]!), deprecated: false };
  return undefined;
}

/** The eight 16-bit words of a valid IPv6 address (with `::` and a trailing dotted quad expanded). */
function ipv6Words(ip: string): number[] {
  let text = ip;
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1]!.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const part = (s: string | undefined) => (s ? s.split(':').map((w) => Number.parseInt(w, 16)) : []);
  const left = part(head);
  const right = part(tail);
  return tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}
