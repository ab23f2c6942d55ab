// Kubernetes' CEL IP and CIDR libraries (k8s.io/apiserver/pkg/cel/library/ip.go, cidr.go), which
// CRD rules use as `ip(self.address).family() == 4` or `cidr(self.range).containsIP(self.ip)`.
// Addresses parse as Go's netip does (no leading zeros, no zones, no IPv4-mapped IPv6 — each
// refused with upstream's words); a CIDR need not be masked (`10.1.2.3/8` is valid).
import { isIPv4, isIPv6 } from 'node:net';
import type { Environment } from '@marcbachmann/cel-js';
import { namespacedName } from './rewrite.js';

export class IPAddr {
  constructor(
    /** 4 or 16 bytes. */
    readonly bytes: Uint8Array,
    /** netip's String(): dotted IPv4, or RFC 5952 IPv6. */
    readonly text: string,
  ) {}

  get v4(): boolean {
    return this.bytes.length === 4;
  }
}

export class CIDR {
  constructor(
    readonly ip: IPAddr,
    readonly bits: number,
  ) {}

  get text(): string {
    return `${this.ip.text}/${this.bits}`;
  }
}

function v4Bytes(s: string): Uint8Array {
  return Uint8Array.from(s.split('.').map(Number));
}

function v6Bytes(canonical: string): Uint8Array {
  const out = new Uint8Array(16);
  let text = canonical;
  // A trailing dotted quad (::1.2.3.4) is two groups.
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const b = v4Bytes(quad[1]!);
    text = text.slice(0, -quad[1]!.length) + `${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  groups.forEach((g, i) => {
    const v = parseInt(g, 16);
    out[i * 2] = v >> 8;
    out[i * 2 + 1] = v & 0xff;
  });
  return out;
}

/** netip.ParseAddr plus the library's own refusals; throws upstream's message. */
export function parseAddr(s: string): IPAddr {
  if (isIPv4(s)) return new IPAddr(v4Bytes(s), s);
  if (s.includes('%')) throw new Error('IP address with zone value is not allowed');
  if (!isIPv6(s)) throw new Error(`ParseAddr(${JSON.stringify(s)}): unable to parse IP`);
  const canonical = new URL(`http://[${s}]/`).hostname.slice(1, -1);
  const bytes = v6Bytes(canonical);
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) throw new Error('IPv4-mapped IPv6 address is not allowed');
  return new IPAddr(bytes, canonical);
}

/** netip.ParsePrefix plus the library's refusals. */
export function parsePrefix(s: string): CIDR {
  const slash = s.lastIndexOf('/');
  if (slash < 0) throw new Error(`netip.ParsePrefix(${JSON.stringify(s)}): no '/'`);
  const ip = parseAddr(s.slice(0, slash));
  const bitsText = s.slice(slash + 1);
  const bits = /^(0|[1-9]\d{0,2})$/.test(bitsText) ? Number(bitsText) : NaN;
  if (!(bits <= ip.bytes.length * 8)) throw new Error(`netip.ParsePrefix(${JSON.stringify(s)}): bad bits after slash: ${JSON.stringify(bitsText)}`);
  return new CIDR(ip, bits);
}

function tryParse<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

function fromBytes(bytes: Uint8Array): IPAddr {
  if (bytes.length === 4) return new IPAddr(bytes, [...bytes].join('.'));
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[i * 2]! << 8) | bytes[i * 2 + 1]!).toString(16));
  return new IPAddr(bytes, new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1));
}

function masked(c: CIDR): CIDR {
  const b = Uint8Array.from(c.ip.bytes, (x, i) => {
    const keep = Math.max(0, Math.min(8, c.bits - i * 8));
    return x & ((0xff << (8 - keep)) & 0xff);
  });
  return new CIDR(fromBytes(b), c.bits);
}

function contains(c: CIDR, ip: IPAddr): boolean {
  if (c.ip.bytes.length !== ip.bytes.length) return false;
  return masked(c).ip.text === masked(new CIDR(ip, c.bits)).ip.text;
}

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);
const isLoopback = (ip: IPAddr) => (ip.v4 ? ip.bytes[0] === 127 : ip.bytes.subarray(0, 15).every((b) => b === 0) && ip.bytes[15] === 1);
const isUnspecified = (ip: IPAddr) => ip.bytes.every((b) => b === 0);
const isMulticast = (ip: IPAddr) => (ip.v4 ? (ip.bytes[0]! & 0xf0) === 0xe0 : ip.bytes[0] === 0xff);
const isLinkLocalUnicast = (ip: IPAddr) => (ip.v4 ? ip.bytes[0] === 169 && ip.bytes[1] === 254 : ip.bytes[0] === 0xfe && (ip.bytes[1]! & 0xc0) === 0x80);
const isLinkLocalMulticast = (ip: IPAddr) => (ip.v4 ? ip.bytes[0] === 224 && ip.bytes[1] === 0 && ip.bytes[2] === 0 : ip.bytes[0] === 0xff && (ip.bytes[1]! & 0x0f) === 0x02);
const isBroadcast = (ip: IPAddr) => ip.v4 && ip.bytes.every((b) => b === 0xff);

export function registerNetLibrary(env: Environment): void {
  env.registerType('net.IP', IPAddr);
  env.registerType('net.IPNet', CIDR);
  env.registerFunction('ip(string): net.IP', (s: string) => parseAddr(s));
  env.registerFunction('isIP(string): bool', (s: string) => tryParse(() => parseAddr(s)) !== undefined);
  env.registerFunction(`${namespacedName('ip.isCanonical')}(string): bool`, (s: string) => parseAddr(s).text === s);
  env.registerFunction('string(net.IP): string', (ip: IPAddr) => ip.text);
  env.registerFunction('net.IP.family(): int', (ip: IPAddr) => (ip.v4 ? 4n : 6n));
  env.registerFunction('net.IP.isUnspecified(): bool', isUnspecified);
  env.registerFunction('net.IP.isLoopback(): bool', isLoopback);
  env.registerFunction('net.IP.isLinkLocalMulticast(): bool', isLinkLocalMulticast);
  env.registerFunction('net.IP.isLinkLocalUnicast(): bool', isLinkLocalUnicast);
  env.registerFunction('net.IP.isGlobalUnicast(): bool', (ip: IPAddr) => !(isUnspecified(ip) || isLoopback(ip) || isMulticast(ip) || isLinkLocalUnicast(ip) || isBroadcast(ip)));
  env.registerOperator('net.IP == net.IP', (a: IPAddr, b: IPAddr) => eq(a.bytes, b.bytes));
  env.registerFunction('cidr(string): net.IPNet', (s: string) => parsePrefix(s));
  env.registerFunction('isCIDR(string): bool', (s: string) => tryParse(() => parsePrefix(s)) !== undefined);
  env.registerFunction('string(net.IPNet): string', (c: CIDR) => c.text);
  env.registerFunction('net.IPNet.containsIP(net.IP): bool', (c: CIDR, ip: IPAddr) => contains(c, ip));
  env.registerFunction('net.IPNet.containsIP(string): bool', (c: CIDR, s: string) => contains(c, parseAddr(s)));
  env.registerFunction('net.IPNet.containsCIDR(net.IPNet): bool', (c: CIDR, o: CIDR) => contains(c, o.ip) && c.bits <= o.bits);
  env.registerFunction('net.IPNet.containsCIDR(string): bool', (c: CIDR, s: string) => {
    const o = parsePrefix(s);
    return contains(c, o.ip) && c.bits <= o.bits;
  });
  env.registerFunction('net.IPNet.ip(): net.IP', (c: CIDR) => c.ip);
  env.registerFunction('net.IPNet.masked(): net.IPNet', masked);
  env.registerFunction('net.IPNet.prefixLength(): int', (c: CIDR) => BigInt(c.bits));
  env.registerOperator('net.IPNet == net.IPNet', (a: CIDR, b: CIDR) => eq(a.ip.bytes, b.ip.bytes) && a.bits === b.bits);
}
