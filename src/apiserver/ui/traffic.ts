// GET /ui/api/traffic: what every node's proxy carried, per Service port and endpoint, for the
// live view's traffic figures. The API server asks each node's kubelet API for /metrics/proxy (its
// kube-proxy's counters; the kubelet checks the API server's own client certificate, as for
// logs) and answers with the totals as JSON; the page turns successive totals into rates.
// Authorization is RBAC's, for the non-resource URL: the viewer role the live view uses grants it.
// One collection serves every caller for a moment, so open views do not multiply kubelet requests.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Node } from '../../api/core.js';
import { StatusError } from '../../machinery/status.js';
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

export interface TrafficSample {
  kind: 'TrafficSample';
  /** When the sample was taken (ms since the epoch). */
  time: number;
  /** Every node asked; `error` says why one has no figures. */
  nodes: { name: string; error?: string }[];
  endpoints: EndpointTraffic[];
  unserved: { node: string; namespace: string; service: string; port: string; protocol: string; connections: number }[];
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

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if ((size += c.length) > MAX_BYTES) throw new Error(`more than ${MAX_BYTES} bytes`);
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export class TrafficView {
  private last: { at: number; sample: Promise<TrafficSample> } | undefined;

  constructor(
    private readonly nodes: () => Node[],
    private readonly kubelet: KubeletClient,
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
    const sample: TrafficSample = { kind: 'TrafficSample', time: Date.now(), nodes: [], endpoints: [], unserved: [] };
    const nodes = this.nodes().sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    const results = await Promise.all(nodes.map((n) => this.fromNode(n)));
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
      return trafficOfNode(n.metadata.name ?? '', await readBody(res));
    } catch (e) {
      return (e as Error).message;
    } finally {
      clearTimeout(timer);
    }
  }
}
