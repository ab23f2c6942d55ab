// IP and CIDR checks with Go's "sloppy" parsing (k8s.io/utils/net ParseIPSloppy), which
// Kubernetes still accepts: IPv4 octets may carry leading zeros, zones are rejected.
import { fieldErr, type FieldError, type Path } from '../../machinery/field.js';
import { isIPv6 } from 'node:net';

/** 16 bytes for both families (IPv4 as ::ffff:a.b.c.d, like Go's net.IP), or null. */
export function parseIPSloppy(value: string): Uint8Array | null {
  const v4 = parseIPv4Octets(value);
  if (v4) return mapped(v4);
  if (value.includes('%') || !isIPv6(value)) return null;
  return parseIPv6(value);
}

function mapped(v4: number[]): Uint8Array {
  const b = new Uint8Array(16);
  b[10] = 0xff;
  b[11] = 0xff;
  b.set(v4, 12);
  return b;
}

function parseIPv4Octets(value: string): number[] | null {
  const parts = value.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9]{1,3}$/.test(p)) return null;
    const n = Number(p);
    if (n > 255) return null;
    out.push(n);
  }
  return out;
}

function parseIPv6(value: string): Uint8Array | null {
  let s = value;
  // An embedded IPv4 tail (::ffff:1.2.3.4) is rewritten as its two hex groups first.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const o = parseIPv4Octets(tail);
    if (!o) return null;
    s = `${s.slice(0, lastColon + 1)}${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const head = halves[0] ? halves[0].split(':') : [];
  const rest = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if ([...head, ...rest].some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const fill = halves.length === 2 ? 8 - head.length - rest.length : 0;
  if (head.length + rest.length + fill !== 8 || fill < 0 || (halves.length === 2 && fill === 0)) return null;
  const words = [...head, ...Array<string>(fill).fill('0'), ...rest].map((g) => parseInt(g, 16));
  const b = new Uint8Array(16);
  words.forEach((w, i) => {
    b[i * 2] = w >> 8;
    b[i * 2 + 1] = w & 0xff;
  });
  return b;
}

/** True when the 16-byte address is an IPv4 (or IPv4-mapped IPv6) address, as Go's To4(). */
export function is4(ip: Uint8Array): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

export function isIPv4String(value: string): boolean {
  const ip = parseIPSloppy(value);
  return ip !== null && is4(ip);
}

export function isIPv6String(value: string): boolean {
  const ip = parseIPSloppy(value);
  return ip !== null && !is4(ip);
}

/** IsValidIP: `must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)`. */
export function isValidIP(path: Path | string, value: string): FieldError[] {
  return parseIPSloppy(value) ? [] : [fieldErr.invalid(path, value, 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)')];
}

export function isValidIPv4Address(path: Path | string, value: string): FieldError[] {
  return isIPv4String(value) ? [] : [fieldErr.invalid(path, value, 'must be a valid IPv4 address')];
}

export function isValidIPv6Address(path: Path | string, value: string): FieldError[] {
  return isIPv6String(value) ? [] : [fieldErr.invalid(path, value, 'must be a valid IPv6 address')];
}

/** Parses `ip/prefix` like ParseCIDRSloppy; returns the address and prefix length, or null. */
export function parseCIDRSloppy(value: string): { ip: Uint8Array; bits: number; v4: boolean } | null {
  const slash = value.indexOf('/');
  if (slash < 0) return null;
  const ip = parseIPSloppy(value.slice(0, slash));
  const bitsText = value.slice(slash + 1);
  if (!ip || !/^[0-9]{1,3}$/.test(bitsText)) return null;
  const v4 = parseIPv4Octets(value.slice(0, slash)) !== null;
  const bits = Number(bitsText);
  if (bits > (v4 ? 32 : 128)) return null;
  return { ip, bits, v4 };
}

/** IsValidCIDR: `must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)`. */
export function isValidCIDR(path: Path | string, value: string): FieldError[] {
  return parseCIDRSloppy(value)
    ? []
    : [fieldErr.invalid(path, value, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)')];
}

/**
 * kubesvc's loopback network mode gives pods, Services and LoadBalancers addresses inside
 * 127.0.0.0/8 (one machine, no privileges); there a loopback address is an ordinary endpoint.
 * `kubesvc up --network loopback` turns this on; upstream's rule applies otherwise.
 */
let loopbackIsOrdinary = false;
export function allowLoopbackAddresses(allow: boolean): void {
  loopbackIsOrdinary = allow;
}

/** The ranges Go's net.IP methods name, for a 16-byte address from parseIPSloppy. */
function ranges(ip: Uint8Array) {
  const v4 = is4(ip);
  return {
    unspecified: v4 ? ip.slice(12).every((b) => b === 0) : ip.every((b) => b === 0),
    loopback: v4 ? ip[12] === 127 : ip.slice(0, 15).every((b) => b === 0) && ip[15] === 1,
    linkLocalUnicast: v4 ? ip[12] === 169 && ip[13] === 254 : ip[0] === 0xfe && (ip[1]! & 0xc0) === 0x80,
    linkLocalMulticast: v4 ? ip[12] === 224 && ip[13] === 0 && ip[14] === 0 : ip[0] === 0xff && (ip[1]! & 0x0f) === 0x02,
    multicast: v4 ? (ip[12]! & 0xf0) === 0xe0 : ip[0] === 0xff,
    broadcast: v4 && ip.slice(12).every((b) => b === 0xff),
  };
}

/** Go's IP.IsGlobalUnicast on ParseIPSloppy's reading of `value`; false when it is no address. */
export function isGlobalUnicast(value: string): boolean {
  const ip = parseIPSloppy(value);
  if (!ip) return false;
  const r = ranges(ip);
  return !(r.unspecified || r.loopback || r.multicast || r.linkLocalUnicast || r.broadcast);
}

/** Whether the address `value` lies in `cidr` (both read as ParseIPSloppy / ParseCIDRSloppy do, of one family). */
export function cidrContains(cidr: string, value: string): boolean {
  const net = parseCIDRSloppy(cidr);
  const ip = parseIPSloppy(value);
  if (!net || !ip || net.v4 !== is4(ip)) return false;
  // Both are 16 bytes; an IPv4 prefix counts from byte 12.
  const bits = net.v4 ? net.bits + 96 : net.bits;
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, bits - i * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    if ((ip[i]! & mask) !== (net.ip[i]! & mask)) return false;
  }
  return true;
}

/**
 * ValidateNonSpecialIP: endpoints and external IPs may not be unspecified, loopback or
 * link-local, because such addresses mean something different on every node.
 */
export function validateNonSpecialIP(value: string, path: Path | string): FieldError[] {
  const ip = parseIPSloppy(value);
  if (!ip) return [fieldErr.invalid(path, value, 'must be a valid IP address')];
  const errs: FieldError[] = [];
  const { unspecified, loopback, linkLocalUnicast, linkLocalMulticast } = ranges(ip);
  if (unspecified) errs.push(fieldErr.invalid(path, value, `may not be unspecified (${value})`));
  if (loopback && !loopbackIsOrdinary) errs.push(fieldErr.invalid(path, value, 'may not be in the loopback range (127.0.0.0/8, ::1/128)'));
  if (linkLocalUnicast) errs.push(fieldErr.invalid(path, value, 'may not be in the link-local range (169.254.0.0/16, fe80::/10)'));
  if (linkLocalMulticast) {
    errs.push(fieldErr.invalid(path, value, 'may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)'));
  }
  return errs;
}
