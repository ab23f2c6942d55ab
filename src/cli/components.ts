// Starts the cluster's components on top of a running API server, in one process: what
// kube-controller-manager, kube-scheduler, the kubelet and kube-proxy would be on a real node.
// Each component sees the cluster only through the in-process Client and shared informers.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ApiServer } from '../apiserver/server.js';
import { LocalClient } from '../apiserver/local-client.js';
import { localBindingCreate } from '../apiserver/registry/pod-binding.js';
import { InformerFactoryImpl } from '../client/informer.js';
import { startControllers } from '../controllers/manager.js';
import { startServiceControllers } from '../controllers/endpointslice/start.js';
import { NodeAgent } from '../node/agent.js';
import { startProxy, type RunningProxy } from '../proxy/index.js';
import { logger } from '../util/log.js';
import { UsageError } from './flags.js';
import { startClusterDNS, dnsEndpointIP } from './cluster-dns.js';

const log = logger('kubesvc');

export interface ComponentOptions {
  dataDir: string;
  nodeIP: string;
  /** The cluster's pod range; node n gets the n-th /24 of it. */
  podCIDR: string;
  lbPool: string;
  proxyMode: string;
  /** 0 picks free ports (tests run several clusters at once). */
  proxyMetricsPort: number;
  proxyHealthzPort: number;
  clusterDNS: string;
  clusterDomain: string;
}

export interface Components {
  nodeName: string;
  proxy: RunningProxy;
  /** Where the DNS server itself answers (the kube-dns Service's endpoint). */
  dnsEndpoint: { host: string; port: number };
  stop(): Promise<void>;
}

/** The node's name: the machine's host name, made a valid DNS-1123 subdomain as the kubelet requires. */
export function defaultNodeName(): string {
  const name = hostname()
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
  return name || 'kubesvc-node';
}

/** The n-th /24 inside a /16 (or larger) pod range: 127.244.0.0/16, 1 → 127.244.1.0/24. */
export function nodePodCIDR(podCIDR: string, n: number): string {
  const [base] = podCIDR.split('/');
  const o = base!.split('.').map(Number);
  return `${o[0]}.${o[1]}.${(o[2]! + n) & 255}.0/24`;
}

export async function startComponents(api: ApiServer, o: ComponentOptions): Promise<Components> {
  const pods = api.store('', 'pods');
  const client = new LocalClient(api, { subresources: { 'pods/binding': localBindingCreate(pods) } });
  const informers = new InformerFactoryImpl(client);
  const nodeName = defaultNodeName();
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const s of stops.reverse()) {
      try {
        await s();
      } catch (e) {
        log.error('stopping a component', e);
      }
    }
    informers.stop();
  };
  try {
    const dns = await startClusterDNS(client, informers, {
      clusterIP: o.clusterDNS,
      endpointIP: dnsEndpointIP(o.podCIDR),
      clusterDomain: o.clusterDomain,
    });
    stops.push(() => dns.stop());
    api.addReadyCheck('dns', () => dns.ready());
    const controllers = startControllers(client, informers);
    stops.push(() => controllers.stop());
    const serviceControllers = startServiceControllers(client, informers, { lbPool: o.lbPool });
    stops.push(() => serviceControllers.stop());
    const agent = new NodeAgent(client, informers, {
      nodeName,
      nodeIP: o.nodeIP,
      podCIDR: nodePodCIDR(o.podCIDR, 1),
      dataDir: join(o.dataDir, 'node'),
      clusterDNS: o.clusterDNS,
      clusterDomain: o.clusterDomain,
    });
    stops.push(() => agent.stop());
    await agent.start();
    stops.push(api.nodes.register(nodeName, agent.connector()));
    if (o.proxyMode !== 'userspace') {
      throw new UsageError(
        `--proxy-mode ${o.proxyMode} programs the kernel of a node network namespace, which comes with --network netns (not built yet); ` +
          'use --proxy-mode userspace (the default), or `kubesvc proxy rules --mode ' +
          o.proxyMode +
          '` to see the rules it would program',
      );
    }
    const proxy = await startProxy(client, informers, {
      nodeName,
      nodeIP: o.nodeIP,
      mode: 'userspace',
      metricsPort: o.proxyMetricsPort,
      healthzPort: o.proxyHealthzPort,
    });
    stops.push(() => proxy.stop());
    api.addReadyCheck('kube-proxy', () => proxy.ready());
    informers.start();
    return { nodeName, proxy, dnsEndpoint: dns.addresses[0]!, stop };
  } catch (e) {
    await stop();
    throw e;
  }
}
