// The framework every mode shares, as upstream's proxiers are built: informer events only
// feed the change trackers (and ask the runner for a sync); one sync applies all pending
// changes to the ServicePort and Endpoints maps, hands them to the mode's Provider, then
// records metrics, health and the service health check servers. Nothing syncs before every
// informer has synced, so the first data plane is built from a complete picture.
import type { Node, Service } from '../api/core.js';
import type { EndpointSlice } from '../api/discovery.js';
import { logger } from '../util/log.js';
import { applyEndpointsChanges, EndpointsChangeTracker } from './endpointschangetracker.js';
import { localReadyEndpoints } from './endpoint.js';
import type { ProxyHealth } from './healthcheck/proxy-health.js';
import type { ServiceHealthServer } from './healthcheck/service-health.js';
import type { ProxyMetrics } from './metrics/kubeproxy.js';
import type { Provider } from './provider.js';
import { BoundedFrequencyRunner, type RunReason } from './runner.js';
import { applyServiceChanges, ServiceChangeTracker } from './servicechangetracker.js';
import { healthCheckNodePorts } from './serviceport.js';
import { categorizeEndpoints } from './topology.js';
import type { EndpointsMap, ServicePortMap } from './types.js';

const log = logger('proxy');

/** The taint the cluster autoscaler puts on nodes it is about to delete. */
const toBeDeletedTaint = 'ToBeDeletedByClusterAutoscaler';

export interface ProxierOptions {
  nodeName: string;
  provider: Provider;
  metrics: ProxyMetrics;
  health: ProxyHealth;
  serviceHealth?: ServiceHealthServer;
  minSyncMs: number;
  maxSyncMs: number;
}

export class Proxier {
  readonly serviceMap: ServicePortMap = new Map();
  readonly endpointsMap: EndpointsMap = new Map();
  private readonly serviceChanges = new ServiceChangeTracker();
  private readonly endpointsChanges: EndpointsChangeTracker;
  private readonly runner: BoundedFrequencyRunner;
  private initialized = false;
  private synced = false;
  private needFullSync = true;
  private nodeLabels: Record<string, string> = {};
  // Carried over a failed sync, so the retry still knows what changed and when.
  private pendingServices = new Set<string>();
  private pendingEndpoints = new Set<string>();
  private pendingTriggerTimes: number[] = [];
  private reportedServiceChanges = 0;
  private reportedEndpointChanges = 0;
  /** Called after every successful sync (tests and benchmarks wait on it). */
  onSynced?: () => void;

  constructor(private readonly opts: ProxierOptions) {
    this.endpointsChanges = new EndpointsChangeTracker(opts.nodeName);
    this.runner = new BoundedFrequencyRunner((reason) => this.syncProxyRules(reason), {
      minIntervalMs: opts.minSyncMs,
      maxIntervalMs: opts.maxSyncMs,
      retryMaxMs: Math.max(1000, opts.maxSyncMs),
      onError: (err, n) => log.error(`sync of mode ${opts.provider.mode} failed (${n} in a row), retrying`, err),
    });
  }

  start(): void {
    this.runner.start();
  }

  async stop(): Promise<void> {
    await this.runner.stop();
  }

  /** The first sync has completed. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Every informer has synced: syncs may start. */
  setInitialized(): void {
    this.initialized = true;
    this.runner.run();
  }

  onServiceUpdate(previous: Service | undefined, current: Service | undefined): void {
    if (this.serviceChanges.update(previous, current)) this.queueSync();
    this.updateChangeMetrics();
  }

  onEndpointSliceUpdate(slice: EndpointSlice, remove: boolean): void {
    if (this.endpointsChanges.endpointSliceUpdate(slice, remove)) this.queueSync();
    this.updateChangeMetrics();
  }

  /** This node's object: topology labels feed hints; deletion or the autoscaler's taint fails /healthz. */
  onNodeUpdate(node: Node | undefined): void {
    const labels = node?.metadata.labels ?? {};
    const eligible =
      node === undefined || (!node.metadata.deletionTimestamp && !(node.spec?.taints ?? []).some((t) => (t as { key?: string }).key === toBeDeletedTaint));
    this.opts.health.setNodeEligible(eligible);
    const zone = labels['topology.kubernetes.io/zone'];
    if (zone !== this.nodeLabels['topology.kubernetes.io/zone']) {
      this.nodeLabels = zone === undefined ? {} : { 'topology.kubernetes.io/zone': zone };
      this.needFullSync = true;
      this.queueSync();
    }
  }

  /** This node's object is gone: load balancers should stop sending here (upstream's node-eligibility check). */
  onNodeDelete(): void {
    this.opts.health.setNodeEligible(false);
  }

  private queueSync(): void {
    this.opts.health.queuedUpdate();
    this.opts.metrics.syncProxyRulesLastQueuedTimestamp.set(Date.now() / 1000);
    if (this.initialized) this.runner.run();
  }

  private updateChangeMetrics(): void {
    const m = this.opts.metrics;
    m.serviceChangesTotal.inc(this.serviceChanges.totalChanges - this.reportedServiceChanges);
    this.reportedServiceChanges = this.serviceChanges.totalChanges;
    m.endpointChangesTotal.inc(this.endpointsChanges.totalChanges - this.reportedEndpointChanges);
    this.reportedEndpointChanges = this.endpointsChanges.totalChanges;
    m.serviceChangesPending.set(this.serviceChanges.pending);
    m.endpointChangesPending.set(this.endpointsChanges.pending);
  }

  private async syncProxyRules(reason: RunReason): Promise<void> {
    if (!this.initialized) return;
    const start = performance.now();
    // Full only when our own record cannot be trusted (first sync, after a failure — a retry
    // always follows one — or new topology labels). The periodic run is a resync, as upstream's
    // --iptables-sync-period is: the provider decides whether that needs a full sync (see
    // ProxyChanges.resync); making every 30 s run full cost ~25 % of a core at 1,000 Services
    // in iptables mode.
    const full = this.needFullSync || reason === 'retry';
    const resync = reason === 'periodic';
    const svcResult = applyServiceChanges(this.serviceMap, this.serviceChanges);
    const epResult = applyEndpointsChanges(this.endpointsMap, this.endpointsChanges);
    this.updateChangeMetrics();
    for (const s of svcResult.updatedServices) this.pendingServices.add(s);
    for (const s of epResult.updatedServices) this.pendingEndpoints.add(s);
    for (const times of epResult.lastChangeTriggerTimes.values()) this.pendingTriggerTimes.push(...times);
    const m = this.opts.metrics;
    try {
      await this.opts.provider.sync(this.serviceMap, this.endpointsMap, {
        full,
        resync,
        services: this.pendingServices,
        endpoints: this.pendingEndpoints,
        nodeLabels: this.nodeLabels,
      });
      if (this.opts.serviceHealth) {
        const hcPorts = healthCheckNodePorts(this.serviceMap);
        await this.opts.serviceHealth.syncServices(hcPorts);
        // Counting local endpoints walks every endpoint: skip it when no Service needs a health check.
        this.opts.serviceHealth.syncEndpoints(hcPorts.size ? localReadyEndpoints(this.endpointsMap) : new Map());
      }
    } catch (e) {
      this.needFullSync = true;
      throw e;
    } finally {
      // Failed syncs count too, as upstream observes in a defer.
      const seconds = (performance.now() - start) / 1000;
      m.syncProxyRulesLatency.observe(seconds);
      (full ? m.syncFullProxyRulesLatency : m.syncPartialProxyRulesLatency).observe(seconds);
    }
    m.syncProxyRulesLastTimestamp.set(Date.now() / 1000);
    const now = Date.now();
    for (const t of this.pendingTriggerTimes) m.networkProgrammingLatency.observe(Math.max(0, now - t) / 1000);
    this.recordNoLocalEndpoints();
    this.pendingTriggerTimes = [];
    this.pendingServices = new Set();
    this.pendingEndpoints = new Set();
    this.needFullSync = false;
    // Only healthy if nothing arrived during the sync; otherwise the next (queued) sync clears it.
    if (this.serviceChanges.pending === 0 && this.endpointsChanges.pending === 0) this.opts.health.updated();
    this.synced = true;
    this.onSynced?.();
  }

  /** kubeproxy_sync_proxy_rules_no_local_endpoints_total: Services with a Local policy and no local endpoints. */
  private recordNoLocalEndpoints(): void {
    const internal = new Set<string>();
    const external = new Set<string>();
    for (const [key, sp] of this.serviceMap) {
      if (!sp.internalPolicyLocal && !sp.externalPolicyLocal) continue;
      const c = categorizeEndpoints(this.endpointsMap.get(key) ?? [], sp, this.opts.nodeName, this.nodeLabels);
      if (!c.hasAnyEndpoints || (c.localEndpoints?.length ?? 0) > 0) continue;
      const nsn = `${sp.name.namespace}/${sp.name.name}`;
      if (sp.internalPolicyLocal) internal.add(nsn);
      if (sp.externalPolicyLocal) external.add(nsn);
    }
    this.opts.metrics.syncProxyRulesNoLocalEndpointsTotal.set(internal.size, { traffic_policy: 'internal' });
    this.opts.metrics.syncProxyRulesNoLocalEndpointsTotal.set(external.size, { traffic_policy: 'external' });
  }
}
