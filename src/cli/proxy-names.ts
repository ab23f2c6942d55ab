// Upstream's per-Service chain names, so `kubesvc proxy trace` can name the chains a packet
// walks in each mode exactly as `iptables-save` / `nft list ruleset` would show them.
// iptables: "KUBE-SVC-" + 16 characters of base32(sha256(servicePortName + protocol)) (and
// KUBE-SEP- with the endpoint appended); nftables: 8 such characters, a hyphen, a readable base.
import { createHash } from 'node:crypto';
import { servicePortNameString, type ServicePortName } from '../proxy/types.js';

const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 without padding (Go's base32.StdEncoding for the characters we keep). */
function base32(buf: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}

const hash = (s: string) => base32(createHash('sha256').update(s).digest());

/** Upstream's portProtoHash: the 16-character tail of KUBE-SVC-/KUBE-SVL-/KUBE-EXT-/KUBE-FW- names. */
export function portProtoHash(spn: ServicePortName): string {
  return hash(servicePortNameString(spn) + spn.protocol.toLowerCase()).slice(0, 16);
}

export function iptablesChain(kind: 'SVC' | 'SVL' | 'EXT' | 'FW', spn: ServicePortName): string {
  return `KUBE-${kind}-${portProtoHash(spn)}`;
}

/** Upstream's servicePortEndpointChainName. */
export function iptablesSEPChain(spn: ServicePortName, endpoint: string): string {
  return `KUBE-SEP-${hash(servicePortNameString(spn) + spn.protocol.toLowerCase() + endpoint).slice(0, 16)}`;
}

function hashAndTruncate(name: string): string {
  return `${hash(name).slice(0, 8)}-${name}`;
}

/** nftables "service-HASH-ns/svc/tcp/p80" and friends. */
export function nftChain(prefix: 'service-' | 'local-' | 'external-', spn: ServicePortName): string {
  return prefix + hashAndTruncate(`${spn.namespace}/${spn.name}/${spn.protocol.toLowerCase()}/${spn.port}`);
}

export function nftEndpointChain(spn: ServicePortName, ip: string, port: number): string {
  return 'endpoint-' + hashAndTruncate(`${spn.namespace}/${spn.name}/${spn.protocol.toLowerCase()}/${spn.port}__${ip.replaceAll(':', '.')}/${port}`);
}
