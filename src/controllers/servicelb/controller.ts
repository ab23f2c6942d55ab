// The LoadBalancer controller for bare metal (MetalLB's IPAM and k3s servicelb, in one): every
// Service of type LoadBalancer whose loadBalancerClass is unset or ours gets an address from the
// pool in status.loadBalancer.ingress (ipMode VIP; kube-proxy then serves it). A requested
// address (spec.loadBalancerIP or MetalLB's annotation) is honoured when it is in the pool and
// free; otherwise the Service stays pending with a Warning event saying why. Addresses are
// released when the Service goes or stops being a LoadBalancer, and Services left pending are
// retried whenever an address frees up. At start the table of who holds what is rebuilt from the
// Services' status before anything is allocated.
import type { Service } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import { EventRecorder } from '../../client/events.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';
import { withKind, type Recorder } from '../common/recorder.js';
import { AllocationError, LBIPAllocator } from './allocator.js';
import { parseLBPool, poolContains } from './pool.js';
import { desiredIngress, ingressIPs, ingressMatches, isLoadBalancer, requestedIP, ServiceLBClass, wantsOurLoadBalancer } from './service-util.js';

/** The loopback address plan's pool. */
export const defaultLBPool = '127.240.0.0/24';

export interface ServiceLBControllerOptions {
  /** --lb-pool: CIDRs or first-last ranges, comma-separated (default 127.240.0.0/24). */
  pool?: string;
  /** The loadBalancerClass served besides "unset" (default kubesvc.io/servicelb). */
  loadBalancerClass?: string;
  recorder?: Recorder;
  queue?: WorkQueue<string>;
}

function byCreation(a: Service, b: Service): number {
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const ka = metaNamespaceKey(a);
  const kb = metaNamespaceKey(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

export class ServiceLBController extends QueueWorker {
  readonly allocator: LBIPAllocator;
  readonly loadBalancerClass: string;
  private readonly services: Informer<Service>;
  private readonly recorder: Recorder;
  /** Services waiting for an address: synced again whenever one is released. */
  private readonly pending = new Set<string>();

  /** Throws PoolParseError for a malformed pool, so `up` can report the flag. */
  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: ServiceLBControllerOptions = {},
  ) {
    super('servicelb', { queue: opts.queue, giveUp: true });
    this.allocator = new LBIPAllocator(parseLBPool(opts.pool ?? defaultLBPool));
    this.loadBalancerClass = opts.loadBalancerClass ?? ServiceLBClass;
    this.recorder = opts.recorder ?? new EventRecorder(client, 'service-lb-controller');
    this.services = informers.informer<Service>(R.services);
    this.services.addEventHandler({
      onAdd: (s) => this.queue.add(metaNamespaceKey(s)),
      onUpdate: (_o, s) => this.queue.add(metaNamespaceKey(s)),
      onDelete: (s) => this.queue.add(metaNamespaceKey(s)),
    });
  }

  protected override cachesToSync() {
    return [this.services];
  }

  protected override beforeWorkers(): void {
    this.rebuildAllocations();
  }

  /**
   * Takes over the addresses Services already show, oldest Service first, so after a restart
   * everyone keeps their IP. A Service showing an address someone older holds, or one other than
   * it now asks for, keeps nothing here; its sync then allocates afresh.
   */
  rebuildAllocations(): void {
    for (const svc of this.services.lister.list().sort(byCreation)) {
      if (!wantsOurLoadBalancer(svc, this.loadBalancerClass) || svc.metadata.deletionTimestamp) continue;
      const key = metaNamespaceKey(svc);
      const want = requestedIP(svc);
      for (const ip of ingressIPs(svc)) {
        if (!poolContains(this.allocator.pool, ip) || (want && want !== ip)) continue;
        if (this.allocator.holder(ip) !== undefined) continue;
        this.allocator.assign(key, ip);
        break;
      }
    }
  }

  private release(key: string): string | undefined {
    const ip = this.allocator.release(key);
    if (ip !== undefined) for (const k of this.pending) this.queue.add(k);
    return ip;
  }

  async sync(key: string): Promise<void> {
    const { namespace = '', name } = splitKey(key);
    const svc = this.services.lister.get(namespace, name);
    if (!svc || svc.metadata.deletionTimestamp) {
      this.pending.delete(key);
      this.release(key);
      return;
    }
    const ref = withKind(svc, 'v1', 'Service');
    if (!isLoadBalancer(svc)) {
      this.pending.delete(key);
      const had = this.release(key);
      // No longer a LoadBalancer: its old ingress must go (validation forbids it on other types).
      if (had !== undefined || ingressIPs(svc).some((ip) => poolContains(this.allocator.pool, ip))) {
        if (had !== undefined) this.recorder.event(ref, 'Normal', 'DeletingLoadBalancer', 'Deleting load balancer');
        await this.writeIngress(svc, null);
        if (had !== undefined) this.recorder.event(ref, 'Normal', 'DeletedLoadBalancer', 'Deleted load balancer');
      }
      return;
    }
    if (!wantsOurLoadBalancer(svc, this.loadBalancerClass)) {
      // Another implementation's Service: hands off, status included.
      this.pending.delete(key);
      this.release(key);
      return;
    }

    const had = this.allocator.assigned(key);
    let ip: string;
    try {
      const want = requestedIP(svc);
      ip = want ? this.allocator.assign(key, want) : this.allocator.allocateNext(key);
    } catch (e) {
      if (!(e instanceof AllocationError)) throw e;
      // Pending: release what it held (it asked for something else) and show no address.
      this.release(key);
      this.pending.add(key);
      this.recorder.event(ref, 'Warning', 'AllocationFailed', `Failed to allocate IP for "${key}": ${e.message}`);
      if (ingressIPs(svc).length) await this.writeIngress(svc, null);
      return;
    }
    this.pending.delete(key);
    if (had !== undefined && had !== ip) for (const k of this.pending) this.queue.add(k);

    const want = desiredIngress(ip);
    if (ingressMatches(svc, want)) return;
    this.recorder.event(ref, 'Normal', 'EnsuringLoadBalancer', 'Ensuring load balancer');
    await this.writeIngress(svc, want);
    if (had !== ip) this.recorder.event(ref, 'Normal', 'IPAllocated', `Assigned IP ["${ip}"]`);
    this.recorder.event(ref, 'Normal', 'EnsuredLoadBalancer', 'Ensured load balancer');
  }

  /**
   * Writes status.loadBalancer.ingress through the status subresource (null clears it) with an
   * update, as MetalLB's controller does (its role grants update, not patch, of services/status):
   * a Service changed meanwhile conflicts and is synced again from the newer copy.
   */
  private async writeIngress(svc: Service, ingress: ReturnType<typeof desiredIngress> | null): Promise<void> {
    const status = { ...svc.status, loadBalancer: ingress ? { ingress } : {} };
    try {
      await this.client.update<Service>(R.services, svc.metadata.namespace, { ...svc, status }, { subresource: 'status' });
    } catch (e) {
      // Deleted meanwhile: its delete event releases the address.
      if (!isNotFound(e)) throw e;
    }
  }
}
