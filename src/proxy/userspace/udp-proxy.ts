// One UDP listener of the userspace proxy. UDP has no connections, so the proxy keeps a
// session per client address: a socket connected to the endpoint chosen for that client's first
// datagram, through which later datagrams go and replies come back (sent from the Service
// address, so the client sees its peer answer). A session idle for udpIdleTimeoutMs in both
// directions is closed, as upstream's --udp-timeout (250 ms by default) closes it.
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { literalLookup } from '../../util/udp-reply-lookup.js';
import { parseIPv4Net, type IPv4Net } from '../ip.js';
import type { ListenerSpec } from './listener-plan.js';
import type { LoadBalancerRR } from './loadbalancer.js';
import { sourceAllowed } from './tcp-proxy.js';
import type { TrafficCounters } from '../metrics/traffic.js';

export const defaultUdpIdleTimeoutMs = 250;

interface Session {
  endpoint: string;
  socket: Socket;
  connected: boolean;
  queue: Buffer[];
  lastActive: number;
  timer: NodeJS.Timeout;
  toEndpoint: number;
  toClient: number;
  /** Tells the traffic counters the flow ended. */
  ended?: () => void;
}

export class UdpServicePortListener {
  private readonly socket: Socket;
  private readonly sessions = new Map<string, Session>();
  private nets: IPv4Net[] = [];
  private closed = false;

  constructor(
    public spec: ListenerSpec,
    private readonly balancers: LoadBalancerRR,
    private readonly idleTimeoutMs: number = defaultUdpIdleTimeoutMs,
    private readonly traffic?: TrafficCounters,
  ) {
    this.retarget(spec);
    this.socket = createSocket({ type: 'udp4', reuseAddr: false, lookup: literalLookup });
    this.socket.on('message', (msg, rinfo) => this.onClientMessage(msg, rinfo));
  }

  listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.socket.once('error', reject);
      this.socket.bind({ address: this.spec.ip, port: this.spec.port, exclusive: true }, () => {
        this.socket.off('error', reject);
        this.socket.on('error', () => undefined);
        resolve();
      });
    });
  }

  retarget(spec: ListenerSpec): void {
    this.spec = spec;
    this.nets = spec.sourceRanges.map(parseIPv4Net).filter((n): n is IPv4Net => n !== undefined);
  }

  get connections(): number {
    return this.sessions.size;
  }

  /** Ends sessions whose endpoint is no longer in `valid` (what deleting stale conntrack entries does for the kernel modes). */
  pruneSessions(valid: ReadonlySet<string>): void {
    for (const [client, s] of this.sessions) if (!valid.has(s.endpoint)) this.endSession(client, s);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [client, s] of this.sessions) this.endSession(client, s);
    await new Promise<void>((resolve) => {
      try {
        this.socket.close(() => resolve());
      } catch {
        resolve(); // never bound (bind failed)
      }
    });
  }

  closeAll(): Promise<void> {
    return this.close();
  }

  private onClientMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (!sourceAllowed(this.nets, rinfo.address)) return;
    const client = `${rinfo.address}:${rinfo.port}`;
    let s = this.sessions.get(client);
    if (!s) {
      const endpoint = this.balancers.nextEndpoint(this.spec.balancer, rinfo.address);
      if (!endpoint) {
        this.traffic?.unservedConnection(this.spec.servicePort);
        return;
      }
      s = this.openSession(client, rinfo, endpoint);
    }
    s.lastActive = Date.now();
    s.toEndpoint += msg.length;
    if (s.connected) s.socket.send(msg);
    else s.queue.push(msg);
  }

  private openSession(client: string, rinfo: RemoteInfo, endpoint: string): Session {
    const sep = endpoint.lastIndexOf(':');
    const socket = createSocket('udp4');
    const s: Session = {
      endpoint,
      socket,
      connected: false,
      queue: [],
      lastActive: Date.now(),
      timer: setTimeout(() => this.checkIdle(client, s), this.idleTimeoutMs),
      toEndpoint: 0,
      toClient: 0,
    };
    if (this.traffic) s.ended = this.traffic.opened(this.spec.servicePort, endpoint, { toEndpoint: () => s.toEndpoint, toClient: () => s.toClient });
    this.sessions.set(client, s);
    // A refused endpoint (ICMP port unreachable) ends the session; the client's next datagram picks again.
    socket.on('error', () => this.endSession(client, s));
    socket.on('message', (reply) => {
      s.lastActive = Date.now();
      s.toClient += reply.length;
      if (!this.closed) this.socket.send(reply, rinfo.port, rinfo.address);
    });
    socket.connect(Number(endpoint.slice(sep + 1)), endpoint.slice(0, sep), () => {
      s.connected = true;
      for (const m of s.queue) socket.send(m);
      s.queue = [];
    });
    return s;
  }

  private checkIdle(client: string, s: Session): void {
    const idle = Date.now() - s.lastActive;
    if (idle >= this.idleTimeoutMs) this.endSession(client, s);
    else s.timer = setTimeout(() => this.checkIdle(client, s), this.idleTimeoutMs - idle);
  }

  private endSession(client: string, s: Session): void {
    if (this.sessions.get(client) !== s) return;
    this.sessions.delete(client);
    clearTimeout(s.timer);
    s.ended?.();
    try {
      s.socket.close();
    } catch {
      /* already closed */
    }
  }
}
