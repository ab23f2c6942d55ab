// The cluster DNS server as `kubesvc up` runs it: listeners on the kube-dns address, the
// kubernetes handler over informer-fed slim copies, then forwarding to the machine's resolvers.
import type { InformerFactory } from '../client/informer-types.js';
import type { ClusterIndex } from './cluster-index.js';
import { ForwardHandler } from './forward/handler.js';
import { parseUpstream } from './forward/upstream.js';
import { readResolvConf } from './forward/resolv-conf.js';
import { informerIndex } from './informer-index.js';
import { KubernetesHandler } from './kubernetes/handler.js';
import type { PodMode } from './kubernetes/lookup.js';
import { chain } from './message.js';
import { DNSServer, type ListenAddress, type ServerStats } from './server.js';

export type { ClusterIndex } from './cluster-index.js';
export type { Handler, Next, Request, Response } from './message.js';
export { chain } from './message.js';
export { DNSServer } from './server.js';
export { KubernetesHandler } from './kubernetes/handler.js';
export { ForwardHandler } from './forward/handler.js';
export { staticIndex, MemoryIndex } from './memory-index.js';
export { informerIndex } from './informer-index.js';
export { podResolvConfig, formatResolvConf, parseResolvConf, type ResolvConfig, type PodDNSInputs } from './pod-dns.js';
export { kubeDNSService } from './kube-dns.js';
export { readResolvConf } from './forward/resolv-conf.js';

export interface DNSOptions {
  listen: ListenAddress[];
  clusterDomain?: string;
  /** Upstream resolvers ("ip", "ip:port", "[ip6]:port"); default: the nameservers of /etc/resolv.conf. */
  upstreams?: string[];
  /** TTL of cluster records, seconds (default 5). */
  ttl?: number;
  pods?: PodMode;
  /** Replay encoded cluster answers until what they depend on changes (default true). */
  answerCache?: boolean;
  /**
   * When a listen port is refused (port 53 without root or CAP_NET_BIND_SERVICE) or taken, listen
   * on this port of the same host instead (0: any free one); `addresses` tells which. Unset: fail.
   */
  fallbackPort?: number;
  /** IPv4 UDP in batches through the udp-batch addon where it is built (default true); false: Node's dgram. */
  batchedUDP?: boolean;
}

export interface DNSHandle {
  stop(): Promise<void>;
  /** True once the informers have synced: until then cluster names answer SERVFAIL. */
  ready(): boolean;
  /** Where it listens (ports resolved when 0 was asked for). */
  addresses: ListenAddress[];
  stats: ServerStats;
  index: ClusterIndex;
}

/** Serves DNS from `informers` (which the caller starts; informers added after start start at once). */
export async function startDNS(informers: InformerFactory, opts: DNSOptions): Promise<DNSHandle> {
  const index = informerIndex(informers, { pods: opts.pods === 'verified' });
  return startDNSWithIndex(index, opts);
}

/** The same over any index; tests use a static one. */
export async function startDNSWithIndex(index: ClusterIndex & { version?(scope?: string): number }, opts: DNSOptions): Promise<DNSHandle> {
  const kube = new KubernetesHandler(index, { zone: opts.clusterDomain ?? 'cluster.local', ttl: opts.ttl ?? 5, pods: opts.pods ?? 'insecure' });
  // Never forward to ourselves: a resolv.conf naming our own address would loop every query.
  const self = new Set(opts.listen.map((l) => `${l.host}:${l.port}`));
  const upstreams = (opts.upstreams ?? readResolvConf()).filter((u) => {
    const p = parseUpstream(u);
    return !self.has(`${p.host}:${p.port}`);
  });
  const forward = new ForwardHandler({ upstreams });
  const server = new DNSServer({
    listen: opts.listen,
    handler: chain([kube, forward]),
    ...(opts.fallbackPort !== undefined ? { fallbackPort: opts.fallbackPort } : {}),
    ...(opts.batchedUDP !== undefined ? { batchedUDP: opts.batchedUDP } : {}),
    // Only an index that counts its changes can tell when a replayed reply went stale.
    ...(opts.answerCache !== false && typeof index.version === 'function' ? { answerCache: { version: (scope?: string) => index.version!(scope) } } : {}),
  });
  await server.start();
  return {
    stop: () => server.stop(),
    ready: () => index.synced(),
    addresses: server.addresses,
    stats: server.stats,
    index,
  };
}
