// Names and addresses of netns mode. Everything kubesvc creates carries a configurable prefix so
// `kubesvc down` removes exactly what kubesvc made, and tests use their own prefix and subnet so they
// never collide with each other or with a real cluster on the same machine.
import { defaultRunner, type NetRunner } from './runner.js';
import { defaultFiles, type NetFiles } from './files.js';

export interface NetnsOptions {
  runner?: NetRunner;
  files?: NetFiles;
  /** Namespace prefix: `<prefix>-node-<n>`, `<prefix>-pod-<uid hex>`. Default `kubesvc`. */
  prefix?: string;
  /** Host-side node veths are `<linkPrefix>n<n>`. Default `ks` (so `ksn1`). */
  linkPrefix?: string;
  /** The host bridge. Default `kubesvc0`. */
  bridge?: string;
  /** The nodes' /24 on the host bridge: host .1, node n at .(10+n). Default `172.30.0.0/24`. */
  nodeCIDR?: string;
  /** Pods' /16: node n gets x.y.n.0/24 with gateway x.y.n.1 on its cni0. Default `10.244.0.0/16`. */
  podCIDR?: string;
  /** Routed to each node's eth0 so node-originated traffic to a ClusterIP has a route before DNAT. Default `10.96.0.0/12`. */
  serviceCIDR?: string;
  /** Where `ip netns exec` finds per-namespace /etc files. Default `/etc/netns`. */
  etcNetns?: string;
}

export interface NetnsEnv {
  runner: NetRunner;
  files: NetFiles;
  prefix: string;
  linkPrefix: string;
  bridge: string;
  /** First three octets of nodeCIDR, e.g. `172.30.0`. */
  nodeNet: string;
  /** First two octets of podCIDR, e.g. `10.244`. */
  podNet: string;
  serviceCIDR: string;
  etcNetns: string;
}

/** Linux interface names are at most 15 bytes (IFNAMSIZ - 1). */
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
const NAME_PREFIX = /^[a-z0-9][a-z0-9-]*$/;

function octets(cidr: string, bits: 16 | 24, what: string): string {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!m || Number(m[5]) !== bits || m.slice(1, 5).some((o) => Number(o) > 255)) {
    throw new Error(`${what} must be an IPv4 /${bits}, not ${JSON.stringify(cidr)}`);
  }
  return m.slice(1, bits === 24 ? 4 : 3).join('.');
}

export function netnsEnv(opts: NetnsOptions = {}): NetnsEnv {
  const prefix = opts.prefix ?? 'kubesvc';
  const linkPrefix = opts.linkPrefix ?? 'ks';
  const bridge = opts.bridge ?? 'kubesvc0';
  if (!NAME_PREFIX.test(prefix)) throw new Error(`prefix ${JSON.stringify(prefix)}: lower-case letters, digits and -`);
  // n up to 244 adds 4 characters (`n244`).
  if (!IFNAME.test(linkPrefix + 'n244')) throw new Error(`linkPrefix ${JSON.stringify(linkPrefix)} is too long for an interface name`);
  if (!IFNAME.test(bridge)) throw new Error(`bridge ${JSON.stringify(bridge)} is not a valid interface name`);
  return {
    runner: opts.runner ?? defaultRunner,
    files: opts.files ?? defaultFiles,
    prefix,
    linkPrefix,
    bridge,
    nodeNet: octets(opts.nodeCIDR ?? '172.30.0.0/24', 24, 'nodeCIDR'),
    podNet: octets(opts.podCIDR ?? '10.244.0.0/16', 16, 'podCIDR'),
    serviceCIDR: opts.serviceCIDR ?? '10.96.0.0/12',
    etcNetns: opts.etcNetns ?? '/etc/netns',
  };
}

/** Node numbers: the node IP is .(10+n) of a /24, so n stops at 244. */
export function checkNodeNumber(n: number): void {
  if (!Number.isInteger(n) || n < 0 || n > 244) throw new Error(`node number must be an integer 0..244, not ${n}`);
}

export const hostIP = (env: NetnsEnv) => `${env.nodeNet}.1`;
export const nodeIP = (env: NetnsEnv, n: number) => `${env.nodeNet}.${10 + n}`;
export const nodeNamespace = (env: NetnsEnv, n: number) => `${env.prefix}-node-${n}`;
export const nodeHostVeth = (env: NetnsEnv, n: number) => `${env.linkPrefix}n${n}`;
export const podCIDROf = (env: NetnsEnv, n: number) => `${env.podNet}.${n}.0/24`;
export const podGateway = (env: NetnsEnv, n: number) => `${env.podNet}.${n}.1`;

/** Longest pod UID (dashes removed) a name is made of: an API server UID is a UUID, 32 hex. */
const UID_HEX_MAX = 32;

/**
 * A pod UID without dashes, lower-cased: all of it, because two pods whose UIDs merely share a
 * prefix must never share a namespace (setUp is idempotent and would silently join the other's).
 */
export function podUIDHex(podUID: string): string {
  const s = podUID.replace(/-/g, '').toLowerCase();
  if (!new RegExp(`^[a-z0-9]{1,${UID_HEX_MAX}}$`).test(s)) throw new Error(`pod UID ${JSON.stringify(podUID)} is not usable in a namespace name`);
  return s;
}
export const podNamespace = (env: NetnsEnv, podUID: string) => `${env.prefix}-pod-${podUIDHex(podUID)}`;
/**
 * Host side of a pod's veth, inside the node namespace (the CNI bridge plugin names it
 * veth<random>): `veth` and as much of the UID as fits in an interface name (15 bytes, so 11).
 * A clash here is not silent sharing: the second pod's setUp finds no eth0 in its namespace and fails.
 */
export const podHostVeth = (podUID: string) => `veth${podUIDHex(podUID).slice(0, 15 - 'veth'.length)}`;

/** Names kubesvc's namespaces and /etc/netns dirs can have, and nothing else. */
export function ownNamespace(env: NetnsEnv, name: string): 'node' | 'pod' | undefined {
  const esc = env.prefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (new RegExp(`^${esc}-node-\\d+$`).test(name)) return 'node';
  // Up to the whole UID; this also covers the 8-character names of older versions, so
  // `kubesvc down` still removes what they left behind.
  if (new RegExp(`^${esc}-pod-[a-z0-9]{1,${UID_HEX_MAX}}$`).test(name)) return 'pod';
  return undefined;
}

/** Host links kubesvc creates: the bridge and the host sides of node veths. */
export function ownHostLink(env: NetnsEnv, name: string): boolean {
  if (name === env.bridge) return true;
  const esc = env.linkPrefix.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${esc}n\\d+$`).test(name);
}
