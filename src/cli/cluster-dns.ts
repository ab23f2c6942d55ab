// Cluster DNS as a node sees it: the kube-dns Service at the service CIDR's 10th address, backed
// by kubesvc's DNS server the way CoreDNS pods back it on a real cluster. The server listens on
// an address of its own inside the pod range (the unused node-0 block: 127.244.0.53 by default),
// and the Service's Endpoints point there, so kube-proxy carries DNS traffic like any Service's.
//
// In loopback mode the server also answers on the kube-dns ClusterIP itself, as NodeLocal
// DNSCache binds the cluster DNS address on each node: a query then costs one hop, not two
// (the userspace proxy's UDP relay used to take more than half the time of every lookup). The
// Service is labelled with service.kubernetes.io/service-proxy-name, upstream's way of saying that
// another proxy serves it, so kube-proxy leaves that address to the DNS server; its ClusterIP,
// ports and Endpoints stay as they are for clients that look.
import type { Client } from '../client/client.js';
import type { InformerFactory } from '../client/informer-types.js';
import { R } from '../client/resources.js';
import type { Endpoints, Service } from '../api/core.js';
import { kubeDNSService, startDNS, type DNSHandle } from '../dns/index.js';
import { StatusError } from '../machinery/status.js';
import { logger } from '../util/log.js';
import { createServer } from 'node:net';
import { LabelServiceProxyName } from '../proxy/config.js';

const log = logger('dns');

export interface ClusterDNSOptions {
  clusterIP: string;
  /** Where the DNS server itself listens. */
  endpointIP: string;
  clusterDomain: string;
  /** Answer on the ClusterIP too (loopback mode, where any 127.x address can be bound here). */
  answerOnClusterIP?: boolean;
  /**
   * `kubesvc server`: every API server runs a DNS server on its advertise address, and kube-dns'
   * Endpoints follow the `kubernetes` Service's (the live API servers, kept by their Leases), so
   * DNS goes on answering when a server dies and each server writes the same list.
   */
  followAPIServers?: InformerFactory;
}

/** The service-proxy-name the kube-dns Service carries while the DNS server answers on its ClusterIP. */
export const nodeLocalDNSProxyName = 'kubesvc-node-local-dns';

/** 127.244.0.0/16 → 127.244.0.53: inside the pod range, in the block no node uses. */
export function dnsEndpointIP(podCIDR: string): string {
  const o = podCIDR.split('/')[0]!.split('.');
  return `${o[0]}.${o[1]}.0.53`;
}

/** kube-dns' Endpoints: the DNS server's addresses, UDP and TCP on `port`. */
function kubeDNSEndpoints(ips: string[], port: number): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } },
    subsets: ips.length
      ? [
          {
            addresses: ips.map((ip) => ({ ip })),
            ports: [
              { name: 'dns', port, protocol: 'UDP' },
              { name: 'dns-tcp', port, protocol: 'TCP' },
            ],
          },
        ]
      : [],
  };
}

async function ensure<T extends Service | Endpoints>(client: Client, res: typeof R.services | typeof R.endpoints, obj: T): Promise<void> {
  try {
    const cur = await client.get<T>(res, 'kube-system', obj.metadata.name!);
    // Keep what is there when it already says the same; otherwise bring it back in line — all but
    // the ClusterIP, which never changes once set (a cluster restarted with another
    // --service-cidr keeps the address it had).
    const want = { ...cur, ...obj, metadata: { ...cur.metadata, labels: obj.metadata.labels ?? {} } } as T;
    if ('spec' in cur && cur.spec && 'spec' in want && want.spec) {
      const spec = want.spec as Service['spec'];
      const had = cur.spec as Service['spec'];
      if (had.clusterIP && had.clusterIP !== spec.clusterIP) {
        log.warn(`kube-dns keeps its ClusterIP ${had.clusterIP} (not ${spec.clusterIP}): ClusterIPs never change once set`);
      }
      if (had.clusterIP) spec.clusterIP = had.clusterIP;
      if (had.clusterIPs) spec.clusterIPs = had.clusterIPs;
    }
    if (JSON.stringify(want) !== JSON.stringify(cur)) await client.update(res, 'kube-system', want);
  } catch (e) {
    if (!(e instanceof StatusError && e.code === 404)) throw e;
    await client.create(res, 'kube-system', obj);
  }
}

/** Why port 53 could not be had: privileges (EACCES) or someone else holding it — not always the former. */
async function whyNotPort53(host: string): Promise<string> {
  const code = await new Promise<string | undefined>((resolve) => {
    const s = createServer();
    s.once('error', (e: NodeJS.ErrnoException) => resolve(e.code));
    s.listen({ host, port: 53, exclusive: true }, () => s.close(() => resolve(undefined)));
  });
  if (code === 'EACCES' || code === 'EPERM') return 'port 53 needs root (or CAP_NET_BIND_SERVICE)';
  if (code === 'EADDRINUSE') return `${host}:53 is already in use (another DNS server, or another cluster with this --pod-cidr)`;
  return `${host}:53 could not be bound${code ? ` (${code})` : ''}`;
}

export async function startClusterDNS(client: Client, informers: InformerFactory, o: ClusterDNSOptions): Promise<DNSHandle> {
  // A ClusterIP never changes once set: answer on the one the Service has, if it exists already.
  const clusterIP = o.answerOnClusterIP ? await currentClusterIP(client, o.clusterIP) : o.clusterIP;
  // Other names go to the machine's own resolvers (/etc/resolv.conf).
  const dns = await startDNS(informers, {
    listen: [{ host: o.endpointIP, port: 53 }, ...(o.answerOnClusterIP ? [{ host: clusterIP, port: 53, optional: true }] : [])],
    clusterDomain: o.clusterDomain,
    // Without privileges port 53 is out of reach: serve on a free port and say so.
    fallbackPort: 0,
  });
  const port = dns.addresses[0]!.port;
  if (port !== 53) log.warn(`${await whyNotPort53(o.endpointIP)}; DNS answers on ${o.endpointIP}:${port} instead`);
  const onClusterIP = dns.addresses.some((a) => a.host === clusterIP && a.port === 53);
  if (o.answerOnClusterIP && !onClusterIP && port === 53) log.warn(`${clusterIP}:53 could not be bound; kube-proxy carries DNS to ${o.endpointIP}:53`);
  // Selector-less, with Endpoints written here: the DNS server is not a pod.
  const svc = kubeDNSService(o.clusterIP);
  delete svc.spec.selector;
  if (onClusterIP) svc.metadata.labels = { ...svc.metadata.labels, [LabelServiceProxyName]: nodeLocalDNSProxyName };
  await ensure(client, R.services, svc);
  await ensure<Endpoints>(client, R.endpoints, kubeDNSEndpoints([o.endpointIP], port));
  if (o.followAPIServers) {
    if (port !== 53) log.warn(`kube-dns lists every API server's address with port ${port}: other servers must answer DNS on the same port`);
    followAPIServers(client, o.followAPIServers, port);
  }
  return dns;
}

/** Keeps kube-dns' Endpoints on the addresses of default/kubernetes' Endpoints (one write at a time). */
function followAPIServers(client: Client, informers: InformerFactory, port: number): void {
  const inf = informers.informer<Endpoints>(R.endpoints, { namespace: 'default', fieldSelector: 'metadata.name=kubernetes' });
  let chain = Promise.resolve();
  const sync = (ep: Endpoints) => {
    const ips = [...new Set((ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)))].sort();
    if (!ips.length) return;
    chain = chain
      .then(() => ensure<Endpoints>(client, R.endpoints, kubeDNSEndpoints(ips, port)))
      .catch((e: unknown) => log.warn(`updating kube-dns endpoints to the API servers ${ips.join(', ')}: ${e instanceof Error ? e.message : String(e)}`));
  };
  inf.addEventHandler({ onAdd: sync, onUpdate: (_old, ep) => sync(ep) });
}

async function currentClusterIP(client: Client, wanted: string): Promise<string> {
  try {
    const cur = await client.get<Service>(R.services, 'kube-system', 'kube-dns');
    return cur.spec?.clusterIP || wanted;
  } catch (e) {
    if (e instanceof StatusError && e.code === 404) return wanted;
    throw e;
  }
}
