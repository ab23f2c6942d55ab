// GET /ui/api/traffic: what every node's proxy carried, per Service port and endpoint, and what
// the ingress controllers in kube-system served, per Ingress and Service, for the live view's
// traffic figures. The API server asks each node's kubelet API for /metrics/proxy (its
// kube-proxy's counters; the kubelet checks the API server's own client certificate, as for
// logs) and each kube-system pod that announces its metrics (`prometheus.io/scrape`, as
// ingress-nginx's chart does, and kubesvc's own controller) for nginx_ingress_controller_requests,
// and answers with the totals as JSON; the page turns successive totals into rates.
// Authorization is RBAC's, for the non-resource URL: the viewer role the live view uses grants it.
// One collection serves every caller for a moment, so open views do not multiply kubelet requests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node, Pod } from '../../api/core.js';
import { StatusError } from '../../machinery/status.js';
import { getText, readText } from '../../util/http-text.js';
import { parsePrometheusText } from '../../util/prometheus-text.js';
import type { KubeletClient } from '../kubelet-client.js';

export const trafficPath = '/ui/api/traffic';

/** How long one collection answers every caller. */
const SHARE_MS = 500;
/** A node's kubelet that has not answered by then is reported as such. */
const NODE_TIMEOUT_MS = 2000;
const MAX_BYTES = 64 << 20;

export interface EndpointTraffic {
  node: string;
  namespace: string;
  service: string;
  port: string;
  protocol: string;
  endpoint: string;
  connections: number;
  open: number;
  bytesToEndpoint: number;
  bytesToClient: number;
  dialFailures: number;
}

/** HTTP requests an ingress controller sent to a Service (ingress-nginx's nginx_ingress_controller_requests). */
export interface IngressRequests {
  /** The controller pod ("namespace/name"). */
  controller: string;
  namespace: string;
  ingress: string;
  service: string;
  status: string;
  requests: number;
}

export interface TrafficSample {
  kind: 'TrafficSample';
  /** When the sample was taken (ms since the epoch). */
  time: number;
  /** Every node asked; `error` says why one has no figures. */
  nodes: { name: string; error?: string }[];
  endpoints: EndpointTraffic[];
  unserved: { node: string; namespace: string; service: string; port: string; protocol: string; connections: number }[];
  /** Ingress controllers' request counts per Ingress, Service and status. */
  requests: IngressRequests[];
  /** Ingress controller pods asked; `error` says why one has no figures. */
  controllers: { name: string; error?: string }[];
}

/** Where ingress controllers are looked for: only kube-system, where only administrators put pods (the API server dials their IPs). */
export const ingressControllerNamespace = 'kube-system';
/** The most controller pods asked per sample. */
const MAX_CONTROLLERS = 8;

/** The request counters in an ingress controller's /metrics. */
export function requestsOfController(controller: string, text: string): IngressRequests[] {
  const byKey = new Map<string, IngressRequests>();
  for (const s of parsePrometheusText(text, (n) => n === 'nginx_ingress_controller_requests')) {
    const { namespace = '', ingress = '', service = '', status = '' } = s.labels;
    // Summed over the labels the view does not show (method, path, ...).
    const k = `${namespace}/${ingress}/${service}/${status}`;
    const cur = byKey.get(k);
    if (cur) cur.requests += s.value;
    else byKey.set(k, { controller, namespace, ingress, service, status, requests: s.value });
  }
  return [...byKey.values()];
}

/** A kube-system pod that announces Prometheus metrics (`prometheus.io/scrape`), running, with an IP. */
export function scrapeTarget(p: Pod): string | undefined {
  const a = p.metadata.annotations ?? {};
  if (p.metadata.namespace !== ingressControllerNamespace || a['prometheus.io/scrape'] !== 'true' || p.status?.phase !== 'Running' || !p.status.podIP) return undefined;
  const port = Number(a['prometheus.io/port'] ?? 10254);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  const path = a['prometheus.io/path'] ?? '/metrics';
  if (!/^\/[A-Za-z0-9/_.-]*$/.test(path)) return undefined;
  const host = p.status.podIP.includes(':') ? `[${p.status.podIP}]` : p.status.podIP;
  return `http://${host}:${port}${path}`;
}

/** The JSON form of one node's kube-proxy metrics. */
export function trafficOfNode(node: string, text: string): Pick<TrafficSample, 'endpoints' | 'unserved'> {
  const samples = parsePrometheusText(text, (n) => n.startsWith('kubesvc_proxy_'));
  const byEndpoint = new Map<string, EndpointTraffic>();
  const unserved: TrafficSample['unserved'] = [];
  for (const s of samples) {
    const { namespace = '', service = '', port = '', protocol = '', endpoint = '', direction } = s.labels;
    if (s.name === 'kubesvc_proxy_service_unserved_connections_total') {
      unserved.push({ node, namespace, service, port, protocol, connections: s.value });
      continue;
    }
    const k = `${namespace}/${service}:${port}/${protocol}|${endpoint}`;
    let e = byEndpoint.get(k);
    if (!e) {
      e = { node, namespace, service, port, protocol, endpoint, connections: 0, open: 0, bytesToEndpoint: 0, bytesToClient: 0, dialFailures: 0 };
      byEndpoint.set(k, e);
    }
    if (s.name === 'kubesvc_proxy_endpoint_connections_total') e.connections = s.value;
    else if (s.name === 'kubesvc_proxy_endpoint_open_connections') e.open = s.value;
    else if (s.name === 'kubesvc_proxy_endpoint_dial_failures_total') e.dialFailures = s.value;
    else if (s.name === 'kubesvc_proxy_endpoint_bytes_total') {
      if (direction === 'to_endpoint') e.bytesToEndpoint = s.value;
      else if (direction === 'to_client') e.bytesToClient = s.value;
    }
  }
  return { endpoints: [...byEndpoint.values()], unserved };
}

export class TrafficView {
  private last: { at: number; sample: Promise<TrafficSample> } | undefined;

  constructor(
    private readonly nodes: () => Node[],
    private readonly kubelet: KubeletClient,
    /** Pods in ingressControllerNamespace (from the watch cache). */
    private readonly systemPods: () => Pod[] = () => [],
  ) {}

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    const now = Date.now();
    if (!this.last || now - this.last.at >= SHARE_MS) this.last = { at: now, sample: this.collect() };
    const body = Buffer.from(JSON.stringify(await this.last.sample));
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': body.length, 'Cache-Control': 'no-store' });
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  private async collect(): Promise<TrafficSample> {
    const sample: TrafficSample = { kind: 'TrafficSample', time: Date.now(), nodes: [], endpoints: [], unserved: [], requests: [], controllers: [] };
    const nodes = this.nodes().sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const controllers = this.systemPods()
      .map((p) => ({ name: `${p.metadata.namespace}/${p.metadata.name}`, url: scrapeTarget(p) }))
      .filter((c): c is { name: string; url: string } => c.url !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name))
      .slice(0, MAX_CONTROLLERS);
    const [results, scraped] = await Promise.all([
      Promise.all(nodes.map((n) => this.fromNode(n))),
      Promise.all(controllers.map((c) => getText(c.url, { timeoutMs: NODE_TIMEOUT_MS, maxBytes: MAX_BYTES }).then((text) => requestsOfController(c.name, text), (e: Error) => e.message))),
    ]);
    controllers.forEach((c, i) => {
      const r = scraped[i]!;
      if (typeof r === 'string') return void sample.controllers.push({ name: c.name, error: r });
      sample.controllers.push({ name: c.name });
      sample.requests.push(...r);
    });
    nodes.forEach((n, i) => {
      const r = results[i]!;
      const name = n.metadata.name ?? '';
      if (typeof r === 'string') return void sample.nodes.push({ name, error: r });
      sample.nodes.push({ name });
      sample.endpoints.push(...r.endpoints);
      sample.unserved.push(...r.unserved);
    });
    return sample;
  }

  /** One node's figures, or why there are none. */
  private async fromNode(n: Node): Promise<Pick<TrafficSample, 'endpoints' | 'unserved'> | string> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const res = await this.kubelet.request(n, 'GET', '/metrics/proxy', { accept: 'text/plain' });
      timer = setTimeout(() => res.destroy(new Error(`no answer within ${NODE_TIMEOUT_MS} ms`)), NODE_TIMEOUT_MS);
      if (res.statusCode !== 200) {
        res.resume();
        return `the kubelet answered ${res.statusCode}`;
      }
      return trafficOfNode(n.metadata.name ?? '', await readText(res, MAX_BYTES));
    } catch (e) {
      return (e as Error).message;
    } finally {
      clearTimeout(timer);
    }
  }
}
