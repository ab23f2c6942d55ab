// Upstream's ServiceHealthServer: for each LoadBalancer Service with externalTrafficPolicy
// Local, an HTTP server on its healthCheckNodePort answering 200 while this node has ready
// endpoints for it and 503 otherwise, so an external load balancer only sends to nodes that
// can serve locally. Servers of unchanged Services are left alone across syncs.
import { logger } from '../../util/log.js';
import { listenHttp } from '../http-server.js';
import type { HealthAnswer, HealthListen, HealthListener } from './relay.js';

const log = logger('proxy');

interface Instance {
  port: number;
  listeners: HealthListener[];
  endpoints: number;
}

/** Listening in this process (the default). */
export const listenHere: HealthListen = (host, port, answer) =>
  listenHttp(host, port, (_req, res) => {
    const a = answer();
    res.writeHead(a.status, a.headers).end(a.body);
  });

export class ServiceHealthServer {
  private readonly services = new Map<string, Instance>();

  /**
   * @param addresses where health check ports listen (the node's addresses; upstream's default
   *   0.0.0.0 would expose them beyond this machine in loopback mode)
   * @param proxyHealthy whether the proxy itself is healthy (reported in the body, and 503 when not)
   * @param listen how to listen (default: in this process; a node's namespace uses its relay)
   */
  constructor(
    private readonly addresses: readonly string[],
    private readonly proxyHealthy: () => boolean,
    private readonly listen: HealthListen = listenHere,
  ) {}

  /** Makes `wanted` (Service → port) the set served: closes the rest, opens new ones. */
  async syncServices(wanted: ReadonlyMap<string, number>): Promise<void> {
    for (const [nsn, inst] of this.services) {
      if (wanted.get(nsn) !== inst.port) {
        this.services.delete(nsn);
        await Promise.all(inst.listeners.map((l) => l.close()));
      }
    }
    for (const [nsn, port] of wanted) {
      if (this.services.has(nsn)) continue;
      const inst: Instance = { port, listeners: [], endpoints: 0 };
      try {
        for (const addr of this.addresses) inst.listeners.push(await this.listen(addr, port, () => this.answer(nsn)));
        this.services.set(nsn, inst);
      } catch (e) {
        // As upstream: log and retry on the next sync (the port may be held by someone else).
        log.error(`failed to start healthcheck for ${nsn} on port ${port}`, e);
        await Promise.all(inst.listeners.map((l) => l.close()));
      }
    }
  }

  /** Service → number of ready endpoints on this node; Services not named have 0. */
  syncEndpoints(counts: ReadonlyMap<string, number>): void {
    for (const [nsn, inst] of this.services) inst.endpoints = counts.get(nsn) ?? 0;
  }

  async stop(): Promise<void> {
    await this.syncServices(new Map());
  }

  private answer(nsn: string): HealthAnswer {
    const inst = this.services.get(nsn);
    const count = inst?.endpoints ?? 0;
    const healthy = this.proxyHealthy();
    const [namespace, name] = nsn.split('/');
    return {
      status: count !== 0 && healthy ? 200 : 503,
      headers: { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' },
      body: `{\n\t"service": {\n\t\t"namespace": ${JSON.stringify(namespace)},\n\t\t"name": ${JSON.stringify(name)}\n\t},\n\t"localEndpoints": ${count},\n\t"serviceProxyHealthy": ${healthy}\n}`,
    };
  }
}
