import { isIP } from 'node:net';

/**
 * IP addresses and CIDR ranges as big integers, for aws:SourceIp conditions: which
 * ranges a policy names, and how many addresses of the public internet they admit.
 */

export type IpVersion = 4 | 6;

export interface IpRange {
  version: IpVersion;
  first: bigint;
  last: bigint;
}

const BITS: Record<IpVersion, number> = { 4: 32, 6: 128 };

function parseAddress(text: string): { version: IpVersion; value: bigint } | undefined {
  const version = isIP(text);
  if (version === 4) {
    return { version, value: text.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n) };
  }
  if (version === 6) {
    let address = text;
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
    const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
    if (v4) {
      const n = parseAddress(v4[1]!)!.value;
      address = address.slice(0, -v4[1]!.length) + `${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
    }
    const [head, tail] = address.split('::') as [string, string | undefined];
    const left = head ? head.split(':') : [];
    const right = tail ? tail.split(':') : [];
    const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
    return { version, value: groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g, 16)), 0n) };
  }
  return undefined;
}

const parsedRanges = new Map<string, IpRange | undefined>();

/** "10.0.0.0/8", "2001:db8::/32" or a single address; undefined when it is neither. */
export function parseCidr(text: string): IpRange | undefined {
  if (!parsedRanges.has(text)) parsedRanges.set(text, parseRange(text));
  return parsedRanges.get(text);
}

function parseRange(text: string): IpRange | undefined {
  const [address, bits, extra] = text.trim().split('/');
  if (extra !== undefined || !address) return undefined;
  const parsed = parseAddress(address);
  if (!parsed) return undefined;
  const width = BITS[parsed.version];
  const prefix = bits === undefined ? width : /^\d+$/.test(bits) ? Number(bits) : NaN;
  if (!(prefix >= 0 && prefix <= width)) return undefined;
  const hostBits = BigInt(width - prefix);
  const first = (parsed.value >> hostBits) << hostBits;
  return { version: parsed.version, first, last: first + (1n << hostBits) - 1n };
}

const parsedAddresses = new Map<string, { version: IpVersion; value: bigint } | undefined>();

export function parseIp(text: string): { version: IpVersion; value: bigint } | undefined {
  if (!parsedAddresses.has(text)) parsedAddresses.set(text, parseAddress(text.trim()));
  return parsedAddresses.get(text);
}

export function formatIp(version: IpVersion, value: bigint): string {
  if (version === 4) return [24n, 16n, 8n, 0n].map((shift) => ((value >> shift) & 0xffn).toString()).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((value >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  // The longest run of zero groups becomes "::" (RFC 5952).
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.length).join(':')}`;
}

export function contains(range: IpRange, address: { version: IpVersion; value: bigint }): boolean {
  return range.version === address.version && address.value >= range.first && address.value <= range.last;
}

/**
 * Addresses no one on the internet can have as a source: IPv4 private, loopback, link-local,
 * multicast and reserved ranges; in IPv6 everything outside global unicast (2000::/3).
 */
const NOT_PUBLIC: IpRange[] = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
  '::/3', '4000::/2', '8000::/1',
].map((cidr) => parseCidr(cidr)!);

/** How many addresses of [first, last] are public. */
export function publicAddresses(version: IpVersion, first: bigint, last: bigint): bigint {
  let count = last - first + 1n;
  for (const range of NOT_PUBLIC) {
    if (range.version !== version) continue;
    const lo = range.first > first ? range.first : first;
    const hi = range.last < last ? range.last : last;
    if (lo <= hi) count -= hi - lo + 1n;
  }
  return count;
}

/** The first public address of [first, last], if any. */
function firstPublic(version: IpVersion, first: bigint, last: bigint): bigint | undefined {
  let candidate = first;
  for (let moved = true; moved && candidate <= last;) {
    moved = false;
    for (const range of NOT_PUBLIC) {
      if (range.version === version && candidate >= range.first && candidate <= range.last) { candidate = range.last + 1n; moved = true; }
    }
  }
  return candidate <= last ? candidate : undefined;
}

/**
 * Below this many public addresses a source-IP condition counts as a restriction: a /8 of
 * IPv4 (16.7 million addresses, the largest block one organisation is assigned) or a /32
 * of IPv6 (one registry allocation to an ISP). More than that admits strangers by the
 * million — 0.0.0.0/1 plus 128.0.0.0/1 is the whole internet.
 */
export const RESTRICTING_SIZE: Record<IpVersion, bigint> = { 4: 1n << 24n, 6: 1n << 96n };

/** A stretch of addresses that every range in a policy either holds whole or not at all. */
export interface IpSegment {
  version: IpVersion;
  first: bigint;
  last: bigint;
  /** An address of the segment, as a request would carry it: its first public one if it has any. */
  address: string;
  publicCount: bigint;
}

/** Cuts each address space at every range boundary, so a segment stands for all its addresses. */
export function segments(ranges: IpRange[]): IpSegment[] {
  const out: IpSegment[] = [];
  for (const version of [4, 6] as IpVersion[]) {
    const end = 1n << BigInt(BITS[version]);
    const cuts = new Set<bigint>([0n, end]);
    for (const r of ranges) if (r.version === version) { cuts.add(r.first); cuts.add(r.last + 1n); }
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    for (let i = 0; i + 1 < sorted.length; i++) {
      const first = sorted[i]!;
      const last = sorted[i + 1]! - 1n;
      out.push({ version, first, last, address: formatIp(version, firstPublic(version, first, last) ?? first), publicCount: publicAddresses(version, first, last) });
    }
  }
  return out;
}
