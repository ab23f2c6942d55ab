// One TCP listener of the userspace proxy: accepts on a Service address, picks an endpoint
// from its balancer, connects (each attempt with upstream's growing dial timeout, the next
// endpoint after a failure), then copies bytes both ways, half-closes included. The sockets are
// a transport's: in C through the tcp-relay addon where it is built (tcp-native.ts), else
// Node's own (tcp-streams.ts); the decisions are made here for both. The listener's spec can be
// swapped by a sync without touching connections already proxied.
import { netContains, parseIPv4Net, type IPv4Net } from '../ip.js';
import type { ListenerSpec } from './listener-plan.js';
import type { LoadBalancerRR } from './loadbalancer.js';
import type { TrafficCounters } from '../metrics/traffic.js';
import type { ConnectionEvents, ProxiedConnection, TcpTransport } from './tcp-connection.js';
import { listenInC } from './tcp-native.js';
import { listenWithStreams } from './tcp-streams.js';

/** Upstream's EndpointDialTimeouts: one attempt per entry, each to the next endpoint. */
export const endpointDialTimeoutsMs = [250, 500, 1000, 2000];

/** Connections the kernel queues for a listener before the proxy accepts them. */
const backlog = 4096;

export function sourceAllowed(nets: readonly IPv4Net[], ip: string): boolean {
  return nets.length === 0 || nets.some((n) => netContains(n, ip));
}

export class TcpServicePortListener implements ConnectionEvents {
  private transport: TcpTransport | undefined;
  /** Proxied connections, from accept to their end. */
  private readonly conns = new Set<ProxiedConnection>();
  private nets: IPv4Net[] = [];

  constructor(
    public spec: ListenerSpec,
    private readonly balancers: LoadBalancerRR,
    private readonly dialTimeoutsMs: readonly number[] = endpointDialTimeoutsMs,
    private readonly traffic?: TrafficCounters,
    /** Accept, dial and relay in C (the tcp-relay addon) where it is built; false: Node's sockets. */
    private readonly inC = true,
  ) {
    this.retarget(spec);
  }

  async listen(): Promise<void> {
    const { ip, port } = this.spec;
    this.transport = (this.inC ? listenInC(ip, port, backlog, this) : null) ?? (await listenWithStreams(ip, port, backlog, this));
  }

  retarget(spec: ListenerSpec): void {
    this.spec = spec;
    this.nets = spec.sourceRanges.map(parseIPv4Net).filter((n): n is IPv4Net => n !== undefined);
  }

  /** Open proxied connections (client side). */
  get connections(): number {
    return this.conns.size;
  }

  /** Stops accepting; connections already proxied carry on. */
  async close(): Promise<void> {
    await this.transport?.close();
  }

  /** Stops accepting and ends every proxied connection. */
  async closeAll(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await this.close();
  }

  accepted(c: ProxiedConnection): void {
    const { balancer, servicePort } = this.spec;
    // The client's address only when affinity or source ranges need it (Node reads it with a syscall).
    const clientIP = this.nets.length > 0 || this.balancers.isSticky(balancer) ? c.peer() : '';
    if (this.nets.length > 0 && !sourceAllowed(this.nets, clientIP)) {
      c.reset();
      return;
    }
    c.balancer = balancer;
    c.servicePort = servicePort;
    c.clientIP = clientIP;
    this.conns.add(c);
    this.dialNext(c);
  }

  dialed(c: ProxiedConnection, connected: boolean): void {
    if (!this.conns.has(c)) return;
    if (connected) {
      c.closed = this.traffic?.opened(c.servicePort, c.endpoint, c);
      return;
    }
    this.traffic?.dialFailed(c.servicePort, c.endpoint);
    c.failedDials++;
    this.dialNext(c);
  }

  ended(c: ProxiedConnection): void {
    if (this.conns.delete(c)) c.closed?.();
  }

  private dialNext(c: ProxiedConnection): void {
    const attempt = c.failedDials;
    // After a failed dial the client's sticky endpoint is forgotten, as upstream's proxier does.
    const endpoint = attempt < this.dialTimeoutsMs.length ? this.balancers.nextEndpoint(c.balancer, c.clientIP, attempt > 0) : undefined;
    if (!endpoint) {
      this.traffic?.unservedConnection(c.servicePort);
      c.reset();
      return;
    }
    c.endpoint = endpoint;
    const sep = endpoint.lastIndexOf(':');
    c.dial(endpoint.slice(0, sep), Number(endpoint.slice(sep + 1)), this.dialTimeoutsMs[attempt]!);
  }
}
