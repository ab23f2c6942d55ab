// IPv4 helpers the proxy needs: which family an address is, and whether an address falls in a
// CIDR (loadBalancerSourceRanges). kubesvc's proxy serves IPv4, as the loopback and netns address
// plans are IPv4-only.

// A dotted quad as Node's net.isIPv4 accepts it (no leading zeros), written out so that the live
// view can bundle the proxy's rule rendering for the browser.
const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const ipv4 = new RegExp(`^${octet}(\\.${octet}){3}$`);

export function isIPv4(s: string): boolean {
  return ipv4.test(s);
}

/** Dotted quad → 32-bit unsigned number, or undefined. Accepts "::ffff:a.b.c.d" as Node reports IPv4 peers on dual-stack sockets. */
export function ipv4ToNumber(s: string): number | undefined {
  const v = s.startsWith('::ffff:') ? s.slice(7) : s;
  if (!isIPv4(v)) return undefined;
  const p = v.split('.').map(Number);
  return ((p[0]! << 24) | (p[1]! << 16) | (p[2]! << 8) | p[3]!) >>> 0;
}

export interface IPv4Net {
  base: number;
  mask: number;
}

/** "a.b.c.d/n" (or a bare address, as /32) → network, or undefined when not IPv4. */
export function parseIPv4Net(cidr: string): IPv4Net | undefined {
  const [addr, bitsText] = cidr.trim().split('/');
  const ip = ipv4ToNumber(addr ?? '');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
  return { base: (ip & mask) >>> 0, mask };
}

export function netContains(net: IPv4Net, ip: string): boolean {
  const n = ipv4ToNumber(ip);
  return n !== undefined && ((n & net.mask) >>> 0) === net.base;
}

/** The whole of 127.0.0.0/8 is local on Linux: any 127.x.y.z can be bound without adding it to lo. */
export function isLoopbackIPv4(ip: string): boolean {
  const n = ipv4ToNumber(ip);
  return n !== undefined && n >>> 24 === 127;
}
