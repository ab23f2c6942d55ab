// The userspace mode: a real TCP/UDP proxy in this process, which needs no kernel rules (and no
// root, except for ports below 1024). Each sync turns the maps into a listener plan, updates the
// balancers, then opens listeners that are new, closes those no longer wanted and points kept
// ones at their new spec — connections already proxied are never touched, so a sync never
// drops traffic of Services that did not change.
import { liveEndpoints, servicePortLabels, TrafficCounters } from '../metrics/traffic.js';
import type { ServiceReport } from '../options.js';
import type { Provider, ProxyChanges } from '../provider.js';
import type { EndpointsMap, ServicePortMap } from '../types.js';
import { logger } from '../../util/log.js';
import { ListenerPlanner, type BalancerSpec, type ListenerSpec } from './listener-plan.js';
import { LoadBalancerRR } from './loadbalancer.js';
import { localAddressChecker } from './local-addresses.js';
import { endpointDialTimeoutsMs, TcpServicePortListener } from './tcp-proxy.js';
import { defaultUdpIdleTimeoutMs, UdpServicePortListener } from './udp-proxy.js';

const log = logger('proxy');

export interface UserspaceOptions {
  nodeName: string;
  nodeIP: string;
  /** Default upstream's 250 ms. */
  udpIdleTimeoutMs?: number;
  /** Default upstream's 250, 500, 1000, 2000 ms. */
  dialTimeoutsMs?: readonly number[];
  /** Defaults to 127.0.0.0/8 plus this machine's interface addresses. */
  isLocalAddress?: (ip: string) => boolean;
  random?: () => number;
  /** Where a Service port left without a listener is reported (an Event on the Service). */
  report?: (r: ServiceReport) => void;
  /** Accept, dial and relay TCP in C through the tcp-relay addon where it is built (default true); false: Node's sockets and streams. */
  relayInC?: boolean;
}

type Listener = TcpServicePortListener | UdpServicePortListener;

export class UserspaceProvider implements Provider {
  readonly mode = 'userspace';
  readonly balancers: LoadBalancerRR;
  readonly traffic = new TrafficCounters();
  private readonly listeners = new Map<string, Listener>();
  /** Closed listeners whose proxied connections are still open: stop() ends those too. */
  private readonly draining = new Set<Listener>();
  /** Listener keys that failed to open, so each failure is logged once rather than on every sync. */
  private readonly failed = new Map<string, string>();
  /** Listener keys two Service ports want, warned about once while the conflict lasts. */
  private conflicts = new Set<string>();
  /** Service ports reported as left without a listener, so each is reported once while it lasts. */
  private reportedLost = new Set<string>();
  private readonly isLocalAddress: (ip: string) => boolean;
  private readonly nodeAddresses: string[];
  private stickyCleanup: NodeJS.Timeout | undefined;
  private readonly planner = new ListenerPlanner();
  /** The balancer specs last applied: an identical object means nothing changed for it. */
  private appliedBalancers = new Map<string, BalancerSpec>();

  constructor(private readonly opts: UserspaceOptions) {
    this.balancers = new LoadBalancerRR(opts.random);
    this.isLocalAddress = opts.isLocalAddress ?? localAddressChecker();
    // NodePorts answer on the node IP and on 127.0.0.1, as upstream's --nodeport-addresses default does for localhost.
    this.nodeAddresses = [...new Set([opts.nodeIP, '127.0.0.1'])];
  }

  async start(): Promise<void> {
    this.stickyCleanup = setInterval(() => this.balancers.cleanupStaleStickySessions(), 10_000);
    this.stickyCleanup.unref();
  }

  /** The listeners open now, by key ("TCP 127.96.0.10:80"), for tests and `proxy` diagnostics. */
  listenerKeys(): string[] {
    return [...this.listeners.keys()].sort();
  }

  listenerSpec(key: string): ListenerSpec | undefined {
    return this.listeners.get(key)?.spec;
  }

  /** Open proxied TCP connections, or live UDP sessions, of one listener. */
  connections(key: string): number {
    return this.listeners.get(key)?.connections ?? 0;
  }

  async sync(sm: ServicePortMap, em: EndpointsMap, changes: ProxyChanges): Promise<void> {
    // A full sync recomputes everything, in case anything drifted; partial ones reuse unchanged
    // plans. The periodic resync counts as full here: this mode has no kernel state an outside
    // flush could remove, and re-planning in memory is cheap, so it keeps its old repair role.
    const full = changes.full || changes.resync === true;
    if (full) this.planner.reset();
    const plan = this.planner.plan(sm, em, {
      nodeName: this.opts.nodeName,
      nodeAddresses: this.nodeAddresses,
      nodeLabels: { ...changes.nodeLabels },
      isLocalAddress: this.isLocalAddress,
    });
    for (const key of plan.conflicts) {
      if (!this.conflicts.has(key)) log.warn(`more than one Service port wants ${key}; only the first (by name) is served`);
    }
    this.conflicts = new Set(plan.conflicts);
    const lost = new Set<string>();
    for (const l of plan.lost) {
      const k = `${l.key}|${l.servicePort}`;
      lost.add(k);
      if (this.reportedLost.has(k) || !this.opts.report) continue;
      const { namespace, service, port } = servicePortLabels(l.servicePort);
      const winner = servicePortLabels(l.winner);
      this.opts.report({
        namespace,
        name: service,
        type: 'Warning',
        reason: 'PortConflict',
        message: `${l.key} is already served for ${winner.namespace}/${winner.service}${winner.port ? `:${winner.port}` : ''}; port ${port || '(unnamed)'} of this Service gets no listener there on node ${this.opts.nodeName}`,
      });
    }
    this.reportedLost = lost;

    for (const [key, b] of plan.balancers) {
      if (this.appliedBalancers.get(key) !== b) this.balancers.update(key, b.endpoints, b.affinity);
    }
    for (const key of this.appliedBalancers.keys()) if (!plan.balancers.has(key)) this.balancers.delete(key);
    this.appliedBalancers = plan.balancers;

    const closing: Promise<void>[] = [];
    for (const [key, l] of this.listeners) {
      const spec = plan.listeners.get(key);
      if (!spec) {
        this.listeners.delete(key);
        closing.push(l.close());
        if (l.connections > 0) this.draining.add(l);
      } else if (l.spec !== spec || full) {
        l.retarget(spec);
        if (l instanceof UdpServicePortListener) l.pruneSessions(new Set(this.balancers.endpoints(spec.balancer)));
      }
    }
    await Promise.all(closing);
    for (const l of this.draining) if (l.connections === 0) this.draining.delete(l);

    const opening: Promise<void>[] = [];
    for (const [key, spec] of plan.listeners) {
      if (this.listeners.has(key)) continue;
      const l: Listener =
        spec.protocol === 'UDP'
          ? new UdpServicePortListener(spec, this.balancers, this.opts.udpIdleTimeoutMs ?? defaultUdpIdleTimeoutMs, this.traffic)
          : new TcpServicePortListener(spec, this.balancers, this.opts.dialTimeoutsMs ?? endpointDialTimeoutsMs, this.traffic, this.opts.relayInC !== false);
      opening.push(
        l.listen().then(
          () => {
            this.listeners.set(key, l);
            if (this.failed.delete(key)) log.info(`listening on ${key} for ${spec.servicePort} after earlier failures`);
          },
          (e: NodeJS.ErrnoException) => {
            // Another program may hold the address; keep serving everything else and try again next sync.
            const msg = e.code === 'EACCES' ? `${e.message} (ports below 1024 need root or CAP_NET_BIND_SERVICE)` : e.message;
            if (this.failed.get(key) !== msg) log.error(`cannot listen on ${key} for ${spec.servicePort}: ${msg}`);
            this.failed.set(key, msg);
            void l.close().catch(() => undefined);
          },
        ),
      );
    }
    await Promise.all(opening);
    for (const key of this.failed.keys()) if (!plan.listeners.has(key)) this.failed.delete(key);
    this.traffic.retain(new Set([...plan.listeners.values()].map((l) => l.servicePort)), liveEndpoints(em));
  }

  async stop(): Promise<void> {
    if (this.stickyCleanup) clearInterval(this.stickyCleanup);
    const all = [...this.listeners.values(), ...this.draining];
    this.listeners.clear();
    this.draining.clear();
    await Promise.all(all.map((l) => l.closeAll()));
  }
}
