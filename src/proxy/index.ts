// kube-proxy for kubesvc: startProxy wires informers → change trackers → sync runner → the
// chosen mode's Provider, and serves metrics (127.0.0.1:10249/metrics) and health
// (127.0.0.1:10256/healthz, /livez) as upstream's kube-proxy does. The kernel modes (iptables,
// nftables) program either this process's own namespace or, with `netns`, a node's named network
// namespace: every tool then runs under `ip netns exec`, so `kubesvc up --network netns` runs one
// proxy per node in one process without touching the host's tables or sysctls.
import type { Client } from '../client/client.js';
import type { InformerFactory } from '../client/informer-types.js';
import { logger } from '../util/log.js';
import { registerProxyHandlers } from './config.js';
import { ProxyHealth } from './healthcheck/proxy-health.js';
import { ServiceHealthServer } from './healthcheck/service-health.js';
import { NetnsHealthRelay } from './healthcheck/relay.js';
import { listenHttp, type HttpListener } from './http-server.js';
import { ProxyMetrics } from './metrics/kubeproxy.js';
import { Proxier } from './proxier.js';
import { netnsExecutor } from './executor.js';
import { IptablesProvider } from './iptables/provider.js';
import { prepareRouteLocalnet } from './iptables/sysctl.js';
import { NftablesProvider } from './nftables/provider.js';
import { IpvsProvider } from './ipvs/provider.js';
import { isIPVSScheduler } from './ipvs/plan.js';
import { checkIPVSSupport, ipvsToolsMissingMessage, ipvsUnsupportedMessage, missingIPVSTools } from './ipvs/support.js';
import type { Provider } from './provider.js';
import { UserspaceProvider } from './userspace/provider.js';

export type { Provider, ProxyChanges } from './provider.js';
export type { ServicePortInfo, EndpointInfo, ServicePortMap, EndpointsMap, ServicePortName } from './types.js';

const log = logger('proxy');

export interface ProxyOptions {
  nodeName: string;
  nodeIP: string;
  mode: 'userspace' | 'iptables' | 'nftables' | 'ipvs';
  /**
   * Kernel modes: the named network namespace whose tables this proxy programs (every iptables-restore,
   * nft, conntrack and sysctl runs through `ip netns exec <netns>`); absent = this process's own.
   */
  netns?: string;
  /** The cluster's pod range (upstream's --cluster-cidr): kernel modes masquerade traffic from outside it. */
  clusterCIDR?: string;
  /**
   * The ClusterIP range (what the API server allocates from; `kubesvc up --service-cidr`).
   * nftables mode: new connections to an address in it that is no Service's ClusterIP are dropped
   * ("Drop traffic to unallocated ClusterIPs" in chain cluster-ips-check), as upstream's nftables
   * proxier does with the ServiceCIDRs it watches. IPv4 only, like the proxy; an IPv6 range is
   * ignored, as upstream filters the CIDRs by the proxier's family. Unused by the other modes
   * (upstream's iptables and IPVS proxiers have no such rule).
   */
  serviceCIDR?: string;
  /** ipvs mode: --ipvs-scheduler (rr, wrr, lc, wlc, sh, dh, sed, nq; default rr). */
  ipvsScheduler?: string;
  /** nftables mode: endpoint choice by per-endpoint rules (default) or upstream's inline vmap. */
  nftablesEndpointSelection?: 'rules' | 'vmap';
  /** Metrics on 127.0.0.1:metricsPort/metrics (default 10249; 0 = ephemeral). */
  metricsPort?: number;
  /** Health on 127.0.0.1:healthzPort/healthz (default 10256; 0 = ephemeral). */
  healthzPort?: number;
  /** Minimum time between syncs (default 0: every batch of events that arrives together is one sync). */
  minSyncMs?: number;
  /**
   * Periodic resync (default 30 s, upstream's --iptables-sync-period default). Partial where the
   * mode can detect an outside flush cheaply (iptables: canary chains; nftables: the table), full
   * otherwise (userspace, IPVS); see ProxyChanges.resync.
   */
  maxSyncMs?: number;
  /**
   * Kernel modes: how long one tool invocation (iptables-restore, nft, ipvsadm, conntrack, …) may
   * run before it is killed and the sync fails (retried as a full sync). Default 60 s; 0 = none.
   */
  commandTimeoutMs?: number;
  /** UDP session idle timeout in userspace mode (default 250 ms, upstream's --udp-timeout). */
  udpIdleTimeoutMs?: number;
}

export interface ProxyHandle {
  stop(): Promise<void>;
  /** True once every informer has synced and the first sync has been applied. */
  ready(): boolean;
}

/** What tests and the CLI can look at beyond ProxyHandle. */
export interface RunningProxy extends ProxyHandle {
  readonly proxier: Proxier;
  readonly provider: Provider;
  readonly metrics: ProxyMetrics;
  readonly metricsPort: number;
  readonly healthzPort: number;
}

export async function startProxy(client: Client, informers: InformerFactory, opts: ProxyOptions): Promise<RunningProxy> {
  void client; // the modes need only informers; events and node updates will use the client
  const minSyncMs = opts.minSyncMs ?? 0;
  const maxSyncMs = opts.maxSyncMs ?? 30_000;
  const metrics = new ProxyMetrics();
  // Upstream's health timeout is twice the sync period: a change not applied by then means the proxy is stuck.
  const health = new ProxyHealth(2 * maxSyncMs);
  const provider = await newProvider(opts);
  const { server: serviceHealth, relay } = serviceHealthServer(opts, () => health.isHealthy());
  const proxier = new Proxier({ nodeName: opts.nodeName, provider, metrics, health, serviceHealth, minSyncMs, maxSyncMs });

  const servers: HttpListener[] = [];
  let ownInformers: { synced(): Promise<void> }[] = [];
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await proxier.stop();
    await Promise.all(servers.map((s) => s.close()));
    await serviceHealth.stop();
    await relay?.stop();
    await provider.stop();
  };
  try {
    servers.push(
      await listenHttp('127.0.0.1', opts.metricsPort ?? 10249, (req, res) => {
        const path = (req.url ?? '/').split('?')[0];
        if (path === '/metrics') {
          res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.registry.expose());
        } else if (path === '/proxyMode') {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end(provider.mode);
        } else {
          health.handle(req, res, metrics);
        }
      }),
    );
    servers.push(await listenHttp('127.0.0.1', opts.healthzPort ?? 10256, (req, res) => health.handle(req, res, metrics)));
    await provider.start();
    ownInformers = registerProxyHandlers(informers, proxier, opts.nodeName);
    proxier.start();
    informers.start();
  } catch (e) {
    await stop();
    throw e;
  }
  // Nothing syncs before every informer has its first list: a partial picture would briefly
  // refuse connections to Services whose endpoints had not arrived yet.
  void Promise.all(ownInformers.map((i) => i.synced())).then(
    () => {
      if (!stopped) proxier.setInitialized();
    },
    (e) => log.error('proxy informers failed to sync', e),
  );
  return {
    proxier,
    provider,
    metrics,
    metricsPort: servers[0]!.port,
    healthzPort: servers[1]!.port,
    stop,
    ready: () => !stopped && proxier.hasSynced(),
  };
}

/** The mode's Provider; kernel modes run their tools through `ip netns exec <netns>` when given. */
async function newProvider(opts: ProxyOptions): Promise<Provider> {
  switch (opts.mode) {
    case 'userspace':
      return new UserspaceProvider({
        nodeName: opts.nodeName,
        nodeIP: opts.nodeIP,
        ...(opts.udpIdleTimeoutMs !== undefined ? { udpIdleTimeoutMs: opts.udpIdleTimeoutMs } : {}),
      });
    case 'iptables': {
      const executor = netnsExecutor(opts.netns, execOpts(opts));
      // Before anything is programmed, as upstream's NewProxier: set inside the node's namespace,
      // only read on the host (see iptables/sysctl.ts).
      const localhostNodePorts = await prepareRouteLocalnet(executor, opts.netns);
      return new IptablesProvider({
        nodeName: opts.nodeName,
        nodeIPs: [opts.nodeIP],
        ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}),
        executor,
        localhostNodePorts,
      });
    }
    case 'nftables':
      return new NftablesProvider({
        nodeName: opts.nodeName,
        nodeIPs: [opts.nodeIP],
        ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}),
        ...(opts.nftablesEndpointSelection ? { endpointSelection: opts.nftablesEndpointSelection } : {}),
        ...(opts.serviceCIDR && !opts.serviceCIDR.includes(':') ? { serviceCIDRs: [opts.serviceCIDR] } : {}),
        executor: netnsExecutor(opts.netns, execOpts(opts)),
      });
    case 'ipvs': {
      // Checked before anything starts, so a kernel without IPVS stops with a message instead of
      // a sync loop failing forever.
      const support = checkIPVSSupport();
      if (!support.ok) throw new Error(ipvsUnsupportedMessage(support.reason ?? 'unknown reason', opts.netns ? 'netns' : undefined));
      // Likewise for the tools: without them every sync would fail with a spawn error.
      const missing = missingIPVSTools();
      if (missing.length > 0) throw new Error(ipvsToolsMissingMessage(missing));
      const scheduler = opts.ipvsScheduler ?? 'rr';
      if (!isIPVSScheduler(scheduler)) throw new Error(`unknown --ipvs-scheduler ${JSON.stringify(scheduler)} (rr, wrr, lc, wlc, sh, dh, sed or nq)`);
      return new IpvsProvider({
        nodeName: opts.nodeName,
        nodeIPs: [opts.nodeIP],
        ...(opts.clusterCIDR ? { clusterCIDR: opts.clusterCIDR } : {}),
        scheduler,
        executor: netnsExecutor(opts.netns, execOpts(opts)),
        // The vs.* sysctls are per namespace: set inside a node's, never on the host (as route_localnet).
        setSysctls: !!opts.netns,
      });
    }
    default: {
      const never: never = opts.mode;
      throw new Error(`unknown proxy mode ${JSON.stringify(never)}`);
    }
  }
}

function execOpts(opts: ProxyOptions): { timeoutMs?: number } {
  return opts.commandTimeoutMs !== undefined ? { timeoutMs: opts.commandTimeoutMs } : {};
}

/**
 * healthCheckNodePort servers. In a kernel mode with a netns this process sits in the host
 * namespace and cannot bind the node's address, so a relay child inside the node listens (on all
 * of the node's addresses, upstream's default) and asks this process for each answer.
 * Otherwise they listen here, on the node's address and 127.0.0.1.
 */
function serviceHealthServer(opts: ProxyOptions, healthy: () => boolean): { server: ServiceHealthServer; relay?: NetnsHealthRelay } {
  if (opts.mode !== 'userspace' && opts.netns) {
    const relay = new NetnsHealthRelay(['ip', 'netns', 'exec', opts.netns]);
    return { server: new ServiceHealthServer(['0.0.0.0'], healthy, relay.listen), relay };
  }
  return { server: new ServiceHealthServer([...new Set([opts.nodeIP, '127.0.0.1'])], healthy) };
}
