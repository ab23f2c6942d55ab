// The allocation repair loops kube-apiserver runs (pkg/registry/core/service/ipallocator/controller
// RepairIPAddress and portallocator/controller Repair): every interval they compare what Services
// hold with what storage says is allocated. An address or port a Service holds but storage lacks is
// allocated again (ClusterIPNotAllocated / PortNotAllocated); one held twice or out of range is
// reported as an event on the Service; one allocated but held by no Service is a leak (a write that
// failed after allocating, a server that died mid-request) and is released once it has stayed
// unheld for `leakRuns` runs, so a create still in flight is never robbed of its value. The
// default ServiceCIDR `kubernetes` is put back if it was deleted, as upstream's default-servicecidr
// controller does.
import type { Service } from '../../api/core.js';
import { defaultServiceCIDRName, ipAllocatorManager, managedByLabel, type IPAddress, type ServiceCIDR } from '../../api/validation/service-cidr.js';
import { StatusError } from '../../machinery/status.js';
import { newContext, nowTimestamp } from '../store/context.js';
import type { Recorder } from '../../controllers/common/recorder.js';
import { logger, errorText } from '../../util/log.js';
import { everything } from '../store/selectors.js';
import type { Store } from '../store/store.js';
import { AllocatorError } from './errors.js';
import type { ServiceAllocations } from './service-allocations.js';
import { ClusterIPNone, collectNodePorts, isHeadless, needsHealthCheck } from './service-fields.js';

const log = logger('apiserver');
/** Upstream's field manager for the default ServiceCIDR. */
const serviceCIDRController = 'kubernetes-service-cidr-controller';

export interface RepairOptions {
  /** Upstream repairs every 3 minutes. */
  intervalMs: number;
  /** Runs a value must stay unheld before it is released (upstream's numRepairsBeforeLeakCleanup). */
  leakRuns?: number;
}

export class AllocationRepair {
  private readonly ipLeaks = new Map<string, number>();
  private portLeaks = new Map<number, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly leakRuns: number;

  constructor(
    private readonly allocations: ServiceAllocations,
    private readonly stores: { services: () => Store; ipaddresses: () => Store; servicecidrs: () => Store },
    private readonly recorder: Recorder,
    private readonly opts: RepairOptions,
  ) {
    this.leakRuns = opts.leakRuns ?? 3;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.opts.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One repair pass; passes never overlap. */
  runOnce(): Promise<void> {
    this.running ??= this.repair()
      .catch((e: unknown) => log.warn(`allocation repair: ${errorText(e)}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }

  private async repair(): Promise<void> {
    await this.ensureDefaultServiceCIDR();
    const services = async () => (await this.stores.services().list(undefined, { matcher: everything })).items.map((i) => i.obj as Service);
    await this.repairClusterIPs(await services());
    // The port bitmap is read before the Services and written only if nothing changed it since,
    // so a Service deleted meanwhile never gets its port back; a lost race is a new pass.
    for (let attempt = 0; attempt < 5; attempt++) {
      const snap = await this.allocations.nodePorts.snapshot();
      if (await this.repairNodePorts(await services(), snap)) return;
    }
    log.debug('allocation repair: the nodePort range kept changing; trying again next interval');
  }

  /** Upstream's default-servicecidr controller: the `kubernetes` ServiceCIDR exists and is Ready. */
  private async ensureDefaultServiceCIDR(): Promise<void> {
    const store = this.stores.servicecidrs();
    let current = (await store.find(undefined, defaultServiceCIDRName))?.obj as ServiceCIDR | undefined;
    if (!current) {
      const sc: ServiceCIDR = {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'ServiceCIDR',
        metadata: { name: defaultServiceCIDRName },
        spec: { cidrs: [this.allocations.clusterIPs.cidrString] },
      };
      try {
        current = (await store.create(newContext({ fieldManager: serviceCIDRController }), sc)) as ServiceCIDR;
      } catch (e) {
        // Another API server put it back first; it sets the condition too.
        if (!(e instanceof StatusError && e.code === 409)) throw e;
        return;
      }
    }
    const ready = (current.status?.conditions as { type?: string; status?: string }[] | undefined)?.find((c) => c.type === 'Ready');
    if (ready && ready.status !== 'Unknown') return;
    // Only a ServiceCIDR that matches this server's --service-cidr is declared ready by it.
    if ((current.spec?.cidrs ?? []).join() !== this.allocations.clusterIPs.cidrString) return;
    await store.guaranteedUpdate(newContext({ fieldManager: serviceCIDRController }), undefined, defaultServiceCIDRName, 'status', (cur) => {
      if (!cur) throw new StatusError(404, 'NotFound', `servicecidrs.networking.k8s.io "${defaultServiceCIDRName}" not found`);
      const next = structuredClone(cur) as ServiceCIDR;
      const others = (next.status?.conditions ?? []).filter((c) => (c as { type?: string }).type !== 'Ready');
      next.status = {
        conditions: [...others, { type: 'Ready', status: 'True', reason: '', message: 'Kubernetes default Service CIDR is ready', lastTransitionTime: nowTimestamp() }],
      };
      return next;
    });
  }

  private async repairClusterIPs(services: Service[]): Promise<void> {
    const ips = this.allocations.clusterIPs;
    const held = new Map<string, Service>();
    for (const svc of services) {
      if (svc.spec.type === 'ExternalName' || isHeadless(svc)) continue;
      for (const ip of svc.spec.clusterIPs ?? (svc.spec.clusterIP ? [svc.spec.clusterIP] : [])) {
        if (!ip || ip === ClusterIPNone || ip.includes(':')) continue;
        const tag = `[${svc.spec.ipFamilies?.[0] ?? 'IPv4'}]:${ip}`;
        if (!ips.contains(ip)) {
          this.recorder.event(svc, 'Warning', 'ClusterIPOutOfRange', `Cluster IP ${tag} is not within the configured Service CIDR ${ips.cidrString}; please recreate service`);
          continue;
        }
        const parent = { group: '', resource: 'services', namespace: svc.metadata.namespace ?? '', name: svc.metadata.name ?? '' };
        const existing = ips.find(ip);
        const ref = existing?.spec?.parentRef;
        // The IPAddress says who owns the address; without one, the first Service listed does.
        const owner = existing ? ref?.resource === 'services' && ref.namespace === parent.namespace && ref.name === parent.name : !held.has(ip);
        if (!owner) {
          this.recorder.event(svc, 'Warning', 'ClusterIPAlreadyAllocated', `Cluster IP ${tag} was assigned to multiple services; please recreate service`);
          continue;
        }
        held.set(ip, svc);
        if (existing) continue;
        try {
          await ips.allocate(ip, parent);
          this.recorder.event(svc, 'Warning', 'ClusterIPNotAllocated', `Cluster IP ${tag} is not allocated; repairing`);
        } catch (e) {
          // Allocated meanwhile (by this Service's own create, or another server): next pass looks again.
          if (!(e instanceof AllocatorError)) throw e;
        }
      }
    }
    const { items } = await this.stores.ipaddresses().list(undefined, { matcher: everything });
    const seen = new Set<string>();
    for (const item of items) {
      const ip = item.obj as IPAddress;
      const name = ip.metadata.name ?? '';
      if (ip.metadata.labels?.[managedByLabel] !== ipAllocatorManager || !ips.contains(name) || held.has(name)) continue;
      seen.add(name);
      const runs = (this.ipLeaks.get(name) ?? 0) + 1;
      if (runs < this.leakRuns) {
        this.ipLeaks.set(name, runs);
        continue;
      }
      log.info(`allocation repair: releasing leaked clusterIP ${name}`);
      this.ipLeaks.delete(name);
      await ips.release(name);
    }
    for (const ip of this.ipLeaks.keys()) if (!seen.has(ip)) this.ipLeaks.delete(ip);
  }

  private async repairNodePorts(services: Service[], snap: { ports: number[]; revision: number }): Promise<boolean> {
    const ports = this.allocations.nodePorts;
    const held = new Map<number, Service>();
    for (const svc of services) {
      const mine = new Set(collectNodePorts(svc));
      if (needsHealthCheck(svc) && svc.spec.healthCheckNodePort) mine.add(svc.spec.healthCheckNodePort);
      for (const port of mine) {
        if (!ports.contains(port)) {
          this.recorder.event(svc, 'Warning', 'PortOutOfRange', `Port ${port} is not within the port range ${ports.rangeString}; please recreate service`);
        } else if (held.has(port)) {
          this.recorder.event(svc, 'Warning', 'PortAlreadyAllocated', `Port ${port} was assigned to multiple services; please recreate service`);
        } else {
          held.set(port, svc);
        }
      }
    }
    const next = new Set(held.keys());
    const stored = new Set(snap.ports);
    const leaks = new Map<number, number>();
    for (const port of snap.ports) {
      if (held.has(port)) continue;
      const runs = (this.portLeaks.get(port) ?? 0) + 1;
      if (runs < this.leakRuns) {
        leaks.set(port, runs);
        next.add(port);
      } else {
        log.info(`allocation repair: releasing leaked nodePort ${port}`);
      }
    }
    const same = next.size === stored.size && [...next].every((p) => stored.has(p));
    if (!same && !(await ports.restoreAt(snap.revision, [...next]))) return false;
    this.portLeaks = leaks;
    for (const [port, svc] of held) {
      if (!stored.has(port)) this.recorder.event(svc, 'Warning', 'PortNotAllocated', `Port ${port} is not allocated; repairing`);
    }
    return true;
  }
}
