// What a proxy carried, per Service port and endpoint: connections opened (UDP: flows), open now,
// bytes each way, failed dials, and connections that found no endpoint. The live view reads these
// (through the kubelet API's /metrics/proxy) to draw traffic on the map; anyone can scrape them
// from kube-proxy's /metrics next to upstream's sync metrics. Bytes of open connections are read
// from their sockets when the figures are exposed, so a long download counts while it runs and
// the data path pays nothing per chunk.
import { labelText } from './registry.js';

/** A proxied connection or UDP flow, asked for its byte counts when the figures are read. */
export interface Flow {
  /** Bytes from the client to the endpoint so far. */
  toEndpoint(): number;
  /** Bytes from the endpoint to the client so far. */
  toClient(): number;
}

interface EndpointRecord {
  servicePort: string;
  endpoint: string;
  opened: number;
  dialFailures: number;
  /** Bytes of flows already closed. */
  toEndpoint: number;
  toClient: number;
  open: Set<Flow>;
}

/** servicePortKey ("ns/name:port/TCP", or "ns/name/TCP" for an unnamed port) → Prometheus labels. */
export function servicePortLabels(servicePort: string): Record<string, string> {
  const slash = servicePort.lastIndexOf('/');
  const protocol = servicePort.slice(slash + 1);
  const nsName = servicePort.slice(0, slash);
  const first = nsName.indexOf('/');
  const namespace = nsName.slice(0, first);
  const [service = '', port = ''] = nsName.slice(first + 1).split(':');
  return { namespace, service, port, protocol };
}

/** Where a proxy's traffic figures come from: its own counters, or (kernel modes) conntrack, read when asked. */
export interface TrafficSource {
  expose(): string | Promise<string>;
}

/** The endpoints of an EndpointsMap as retain() takes them. */
export function liveEndpoints(em: ReadonlyMap<string, readonly { endpoint: string }[]>): Set<string> {
  const out = new Set<string>();
  for (const [sp, eps] of em) for (const e of eps) out.add(`${sp}|${e.endpoint}`);
  return out;
}

export class TrafficCounters implements TrafficSource {
  private readonly endpoints = new Map<string, EndpointRecord>();
  /** Per Service port: connections refused because no endpoint was left to try. */
  private readonly unserved = new Map<string, number>();

  private record(servicePort: string, endpoint: string): EndpointRecord {
    const k = `${servicePort}|${endpoint}`;
    let r = this.endpoints.get(k);
    if (!r) {
      r = { servicePort, endpoint, opened: 0, dialFailures: 0, toEndpoint: 0, toClient: 0, open: new Set() };
      this.endpoints.set(k, r);
    }
    return r;
  }

  /** A connection (or UDP flow) to `endpoint` began; call the result when it has ended. */
  opened(servicePort: string, endpoint: string, flow: Flow): () => void {
    const r = this.record(servicePort, endpoint);
    r.opened++;
    r.open.add(flow);
    return () => {
      if (!r.open.delete(flow)) return;
      r.toEndpoint += flow.toEndpoint();
      r.toClient += flow.toClient();
    };
  }

  dialFailed(servicePort: string, endpoint: string): void {
    this.record(servicePort, endpoint).dialFailures++;
  }

  /** A client was turned away: no endpoint, or every attempt failed. */
  unservedConnection(servicePort: string): void {
    this.unserved.set(servicePort, (this.unserved.get(servicePort) ?? 0) + 1);
  }

  /**
   * Forgets Service ports no longer proxied, and endpoints no longer theirs ("servicePort|ip:port"
   * in `endpoints`), once none of their connections is open: pods come and go with new IPs, and a
   * record per endpoint ever seen would grow without end.
   */
  retain(servicePorts: ReadonlySet<string>, endpoints?: ReadonlySet<string>): void {
    for (const [k, r] of this.endpoints) {
      if (r.open.size > 0) continue;
      if (!servicePorts.has(r.servicePort) || (endpoints && !endpoints.has(k))) this.endpoints.delete(k);
    }
    for (const k of this.unserved.keys()) if (!servicePorts.has(k)) this.unserved.delete(k);
  }

  /** The figures in Prometheus' text format (one block per metric family). */
  expose(): string {
    const opened: string[] = [];
    const open: string[] = [];
    const bytes: string[] = [];
    const dials: string[] = [];
    for (const r of this.endpoints.values()) {
      const labels = { ...servicePortLabels(r.servicePort), endpoint: r.endpoint };
      let toEndpoint = r.toEndpoint;
      let toClient = r.toClient;
      for (const f of r.open) {
        toEndpoint += f.toEndpoint();
        toClient += f.toClient();
      }
      opened.push(`kubesvc_proxy_endpoint_connections_total${labelText(labels)} ${r.opened}`);
      open.push(`kubesvc_proxy_endpoint_open_connections${labelText(labels)} ${r.open.size}`);
      bytes.push(`kubesvc_proxy_endpoint_bytes_total${labelText({ ...labels, direction: 'to_endpoint' })} ${toEndpoint}`);
      bytes.push(`kubesvc_proxy_endpoint_bytes_total${labelText({ ...labels, direction: 'to_client' })} ${toClient}`);
      if (r.dialFailures) dials.push(`kubesvc_proxy_endpoint_dial_failures_total${labelText(labels)} ${r.dialFailures}`);
    }
    const unserved = [...this.unserved].map(([sp, n]) => `kubesvc_proxy_service_unserved_connections_total${labelText(servicePortLabels(sp))} ${n}`);
    const family = (name: string, type: string, help: string, lines: string[]) => [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines].join('\n');
    return (
      [
        family('kubesvc_proxy_endpoint_connections_total', 'counter', 'Connections (UDP: flows) the proxy opened to each endpoint of a Service port.', opened),
        family('kubesvc_proxy_endpoint_open_connections', 'gauge', 'Connections (UDP: flows) to each endpoint open now.', open),
        family('kubesvc_proxy_endpoint_bytes_total', 'counter', 'Bytes carried between clients and each endpoint, by direction.', bytes),
        family('kubesvc_proxy_endpoint_dial_failures_total', 'counter', 'Connection attempts to an endpoint that failed or timed out (the proxy then tries another).', dials),
        family('kubesvc_proxy_service_unserved_connections_total', 'counter', 'Clients turned away because no endpoint of the Service port could be reached.', unserved),
      ].join('\n') + '\n'
    );
  }
}
