// kube-proxy's metrics, with upstream's names, help texts and buckets (pkg/proxy/metrics), so
// dashboards and alerts written for kube-proxy read kubesvc's proxy unchanged.
import { Counter, Gauge, Histogram, Registry, exponentialBuckets, linearBuckets } from './registry.js';

const syncBuckets = exponentialBuckets(0.001, 2, 15);

export class ProxyMetrics {
  readonly registry = new Registry();
  readonly syncProxyRulesLatency = this.registry.register(
    new Histogram('kubeproxy_sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds', syncBuckets),
  );
  readonly syncFullProxyRulesLatency = this.registry.register(
    new Histogram('kubeproxy_sync_full_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for full resyncs', syncBuckets),
  );
  readonly syncPartialProxyRulesLatency = this.registry.register(
    new Histogram('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for partial resyncs', syncBuckets),
  );
  readonly syncProxyRulesLastTimestamp = this.registry.register(
    new Gauge('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'The last time proxy rules were successfully synced'),
  );
  readonly syncProxyRulesLastQueuedTimestamp = this.registry.register(
    new Gauge('kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', 'The last time a sync of proxy rules was queued'),
  );
  /** Upstream's buckets: 0, 0.25 s, 0.5 s, 1-59 s, 60-115 s, 2-5 min. */
  readonly networkProgrammingLatency = this.registry.register(
    new Histogram('kubeproxy_network_programming_duration_seconds', 'In Cluster Network Programming Latency in seconds', [
      0,
      ...linearBuckets(0.25, 0.25, 2),
      ...linearBuckets(1, 1, 59),
      ...linearBuckets(60, 5, 12),
      ...linearBuckets(120, 30, 7),
    ]),
  );
  readonly endpointChangesPending = this.registry.register(
    new Gauge('kubeproxy_sync_proxy_rules_endpoint_changes_pending', 'Pending proxy rules Endpoint changes'),
  );
  readonly endpointChangesTotal = this.registry.register(
    new Counter('kubeproxy_sync_proxy_rules_endpoint_changes_total', 'Cumulative proxy rules Endpoint changes'),
  );
  readonly serviceChangesPending = this.registry.register(
    new Gauge('kubeproxy_sync_proxy_rules_service_changes_pending', 'Pending proxy rules Service changes'),
  );
  readonly serviceChangesTotal = this.registry.register(
    new Counter('kubeproxy_sync_proxy_rules_service_changes_total', 'Cumulative proxy rules Service changes'),
  );
  readonly syncProxyRulesNoLocalEndpointsTotal = this.registry.register(
    new Gauge(
      'kubeproxy_sync_proxy_rules_no_local_endpoints_total',
      'Number of services with a Local traffic policy and no endpoints',
      true,
    ),
  );
  readonly proxyHealthzTotal = this.registry.register(new Counter('kubeproxy_proxy_healthz_total', 'Cumulative proxy healthz HTTP status'));
  readonly proxyLivezTotal = this.registry.register(new Counter('kubeproxy_proxy_livez_total', 'Cumulative proxy livez HTTP status'));

  constructor() {
    // Counters exist from the start (0), so a scrape before the first change still shows them.
    this.endpointChangesTotal.inc(0);
    this.serviceChangesTotal.inc(0);
    this.syncProxyRulesNoLocalEndpointsTotal.set(0, { traffic_policy: 'internal' });
    this.syncProxyRulesNoLocalEndpointsTotal.set(0, { traffic_policy: 'external' });
  }
}
