// kube-proxy for kubesvc: startProxy wires informers → change trackers → sync runner → the
// chosen mode's Provider, and serves metrics (127.0.0.1:10249/metrics) and health
// (127.0.0.1:10256/healthz, /livez) as upstream's kube-proxy does. The kernel modes (iptables,
// nftables) program either this process's own namespace or, with `netns`, a node's named network
// namespace: every tool then runs under `ip netns exec`, so `kubesvc up --network netns` runs one
// proxy per node in one process without touching the host's tables or sysctls.
import type { Client } from '../client/client.js';
import type { InformerFactory } from '../client/informer-types.js';
import { EventRecorder } from '../client/events.js';
import { logger } from '../util/log.js';
import { registerProxyHandlers } from './config.js';
import { ProxyHealth } from './healthcheck/proxy-health.js';
import { ServiceHealthServer } from './healthcheck/service-health.js';
import { NetnsHealthRelay } from './healthcheck/relay.js';
import { listenHttp, type HttpListener } from './http-server.js';
import { ProxyMetrics } from './metrics/kubeproxy.js';
import { Proxier } from './proxier.js';
import { proxyMode } from './modes.js';
import type { ProxyOptions } from './options.js';
import type { Provider } from './provider.js';

export type { Provider, ProxyChanges } from './provider.js';
export type { ProxyOptions, ProxyModeName } from './options.js';
export { proxyModes, proxyMode, kernelModeNames, proxyModeNames } from './modes.js';
export type { ServicePortInfo, EndpointInfo, ServicePortMap, EndpointsMap, ServicePortName } from './types.js';

const log = logger('proxy');

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
  // The modes need only informers; what they report on a Service becomes an Event through the API.
  const recorder = new EventRecorder(client, 'kube-proxy', opts.nodeName);
  opts = {
    ...opts,
    report: (r) => recorder.event({ apiVersion: 'v1', kind: 'Service', metadata: { namespace: r.namespace, name: r.name } }, r.type, r.reason, r.message),
  };
  const minSyncMs = opts.minSyncMs ?? 0;
  const maxSyncMs = opts.maxSyncMs ?? 30_000;
  const metrics = new ProxyMetrics();
  // Upstream's health timeout is twice the sync period: a change not applied by then means the proxy is stuck.
  const health = new ProxyHealth(2 * maxSyncMs);
  const provider = await proxyMode(opts.mode).newProvider(opts);
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
          void Promise.resolve(provider.traffic?.expose() ?? '').then(
            (traffic) => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.registry.expose() + traffic),
            () => res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(metrics.registry.expose()),
          );
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
