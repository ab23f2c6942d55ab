// One TCP listener of the userspace proxy: accepts on a Service address, picks an endpoint
// from its balancer, connects (each attempt with upstream's growing dial timeout, the next
// endpoint after a failure), then copies bytes both ways, half-closes included (relay.ts: in C
// where the tcp-relay addon is built). The listener's spec can be swapped by a sync without
// touching connections already proxied.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { netContains, parseIPv4Net, type IPv4Net } from '../ip.js';
import type { ListenerSpec } from './listener-plan.js';
import type { LoadBalancerRR } from './loadbalancer.js';
import type { TrafficCounters } from '../metrics/traffic.js';
import { relayConnection, type Relayed } from './relay.js';

/** Upstream's EndpointDialTimeouts: one attempt per entry, each to the next endpoint. */
export const endpointDialTimeoutsMs = [250, 500, 1000, 2000];

export function clientIPOf(s: { remoteAddress?: string | undefined }): string {
  const a = s.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

export function sourceAllowed(nets: readonly IPv4Net[], ip: string): boolean {
  return nets.length === 0 || nets.some((n) => netContains(n, ip));
}

export class TcpServicePortListener {
  private readonly server: Server;
  /** Proxied connections: client sockets, or relays in C once the endpoint is connected. */
  private readonly conns = new Set<{ destroy(): void }>();
  private nets: IPv4Net[] = [];

  constructor(
    public spec: ListenerSpec,
    private readonly balancers: LoadBalancerRR,
    private readonly dialTimeoutsMs: readonly number[] = endpointDialTimeoutsMs,
    private readonly traffic?: TrafficCounters,
    /** Copy bytes in C (the tcp-relay addon) where it is built; false: through Node's streams. */
    private readonly inC = true,
  ) {
    this.retarget(spec);
    // Paused until the endpoint connection is up, so nothing the client sends first is lost.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(c));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.spec.ip, port: this.spec.port, exclusive: true, backlog: 4096 }, () => {
        this.server.off('error', reject);
        this.server.on('error', () => undefined);
        resolve();
      });
    });
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
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      // server.close waits for every connection to end; the listening socket itself is gone now.
      if (this.conns.size) resolve();
    });
  }

  /** Stops accepting and ends every proxied connection. */
  async closeAll(): Promise<void> {
    for (const c of this.conns) c.destroy();
    await this.close();
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    const balancer = this.spec.balancer;
    // Reading the peer address is a syscall per connection: only when affinity or source ranges need it.
    const clientIP = this.nets.length > 0 || this.balancers.isSticky(balancer) ? clientIPOf(client) : '';
    if (this.nets.length > 0 && !sourceAllowed(this.nets, clientIP)) {
      client.resetAndDestroy();
      return;
    }
    client.setNoDelay(true);
    this.conns.add(client);
    client.once('close', () => this.conns.delete(client));
    this.connectEndpoint(client, clientIP, balancer, this.spec.servicePort, 0, false);
  }

  private connectEndpoint(client: Socket, clientIP: string, balancer: string, servicePort: string, attempt: number, affinityReset: boolean): void {
    if (client.destroyed) return;
    const endpoint = attempt < this.dialTimeoutsMs.length ? this.balancers.nextEndpoint(balancer, clientIP, affinityReset) : undefined;
    if (!endpoint) {
      this.traffic?.unservedConnection(servicePort);
      client.resetAndDestroy();
      return;
    }
    const sep = endpoint.lastIndexOf(':');
    const backend = connect({ host: endpoint.slice(0, sep), port: Number(endpoint.slice(sep + 1)), allowHalfOpen: true, noDelay: true });
    // Nothing is read before the bytes are handed to the relay: an endpoint that speaks first
    // (SMTP, MySQL) must not leave its greeting in a Node buffer the relay in C never sees.
    backend.pause();
    let settled = false;
    const fail = () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('close', abort);
      backend.destroy();
      this.traffic?.dialFailed(servicePort, endpoint);
      this.connectEndpoint(client, clientIP, balancer, servicePort, attempt + 1, true);
    };
    const abort = () => {
      settled = true;
      clearTimeout(timer);
      backend.destroy();
    };
    const timer = setTimeout(fail, this.dialTimeoutsMs[attempt]);
    backend.once('error', fail);
    client.once('close', abort);
    backend.once('connect', () => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.off('close', abort);
      backend.off('error', fail);
      this.relay(client, backend, servicePort, endpoint);
    });
  }

  private relay(client: Socket, backend: Socket, servicePort: string, endpoint: string): void {
    // Counted from the client socket until C takes over, then from the relay (which adds what the socket counted).
    let relayed: Relayed | undefined;
    const closed = this.traffic?.opened(servicePort, endpoint, {
      toEndpoint: () => (relayed ? relayed.toEndpoint() : client.bytesRead),
      toClient: () => (relayed ? relayed.toClient() : client.bytesWritten),
    });
    relayConnection(client, backend, {
      inC: this.inC,
      handedOver: (r) => {
        relayed = r;
        // The client socket closes now (the relay holds the connection): it is counted as the relay.
        this.conns.delete(client);
        this.conns.add(r);
      },
      ended: () => {
        if (relayed) this.conns.delete(relayed);
        closed?.();
      },
    });
  }
}
