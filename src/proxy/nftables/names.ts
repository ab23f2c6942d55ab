// Upstream's nftables naming: every per-Service object is named by a readable base
// ("ns/svc/proto/port" or "...__ip/port") prefixed with 8 base32 characters of its sha256, so
// names stay unique when truncated and are easy to tell apart at a glance (`nft list` output).
import { sha256Base32 } from '../../util/sha256-base32.js';
import type { ServicePortName } from '../types.js';

/** nft's limit on a chain/set name (knftables.NameLengthMax). */
const nameLengthMax = 256;
/** Longest prefix ("endpoint-", "affinity-", ...) including its hyphen. */
const chainNamePrefixLengthMax = 16;
const chainNameBaseLengthMax = nameLengthMax - chainNamePrefixLengthMax;

/** Upstream's hashAndTruncate. */
export function hashAndTruncate(name: string): string {
  const hash = sha256Base32(name, 8);
  const full = `${hash}-${name}`;
  return full.length > chainNameBaseLengthMax ? `${full.slice(0, chainNameBaseLengthMax - 3)}...` : full;
}

/** "HASH-ns/svc/tcp/p80" (upstream's servicePortChainNameBase). */
export function servicePortChainNameBase(spn: ServicePortName): string {
  return hashAndTruncate(`${spn.namespace}/${spn.name}/${spn.protocol.toLowerCase()}/${spn.port}`);
}

/** "HASH-ns/svc/tcp/p80__10.180.0.1/80"; IPv6 colons become dots, as nft names allow no ':'. */
export function servicePortEndpointChainNameBase(spn: ServicePortName, ip: string, port: number): string {
  const safeIP = ip.replaceAll(':', '.');
  return hashAndTruncate(`${spn.namespace}/${spn.name}/${spn.protocol.toLowerCase()}/${spn.port}__${safeIP}/${port}`);
}

export const chainPrefix = {
  clusterPolicy: 'service-',
  localPolicy: 'local-',
  external: 'external-',
  endpoint: 'endpoint-',
  affinity: 'affinity-',
  firewall: 'firewall-',
} as const;

/** Per-Service chains all contain '/', which none of the fixed chains do (upstream's isServiceChainName). */
export function isServiceChainName(chain: string): boolean {
  return chain.includes('/');
}

export function isAffinitySetName(set: string): boolean {
  return set.startsWith(chainPrefix.affinity);
}
