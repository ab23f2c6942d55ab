// One TCP listener of the userspace proxy: accepts on a Service address, picks an endpoint
// from its balancer, connects (each attempt with upstream's growing dial timeout, the next
// endpoint after a failure), then copies bytes both ways, half-closes included. The listener's
// spec can be swapped by a sync without touching connections already proxied.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { netContains, parseIPv4Net, type IPv4Net } from '../ip.js';
import type { ListenerSpec } from './listener-plan.js';
import type { LoadBalancerRR } from './loadbalancer.js';
import type { TrafficCounters } from '../metrics/traffic.js';

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
  private readonly conns = new Set<Socket>();
  private nets: IPv4Net[] = [];

  constructor(
    public spec: ListenerSpec,
    private readonly balancers: LoadBalancerRR,
    private readonly dialTimeoutsMs: readonly number[] = endpointDialTimeoutsMs,
    private readonly traffic?: TrafficCounters,
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
      if (this.traffic) client.once('close', this.traffic.opened(servicePort, endpoint, { toEndpoint: () => client.bytesRead, toClient: () => client.bytesWritten }));
      splice(client, backend);
    });
  }
}

/** Copies both ways; an end is passed on as a half-close, an error or reset tears both down. */
function splice(client: Socket, backend: Socket): void {
  backend.on('error', () => client.destroy());
  client.on('error', () => backend.destroy());
  backend.once('close', (hadError) => {
    if (hadError || !client.writableEnded) client.destroy();
  });
  client.once('close', (hadError) => {
    // Let bytes the client sent before closing reach the endpoint, then let go.
    if (hadError || backend.writableFinished) backend.destroy();
    else backend.end(() => backend.destroy());
  });
  forward(client, backend);
  forward(backend, client);
}

/**
 * What `pipe` does for a socket pair, minus its bookkeeping (unpipe, per-pipe cleanup listeners,
 * awaitDrain counting) that a proxied connection, piped once for life, never needs: a few
 * listeners fewer per connection on the new-connection path. Pauses on a full writer, resumes on
 * its drain, passes the end on as a half-close.
 */
function forward(from: Socket, to: Socket): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.write(chunk)) from.pause();
  });
  to.on('drain', () => from.resume());
  from.once('end', () => to.end());
  // The client was accepted paused (pauseOnConnect); a 'data' listener alone does not start it.
  from.resume();
}
