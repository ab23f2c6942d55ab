// Traffic on the map: the page asks /ui/api/traffic once a second (every node's proxy counters,
// collected by the API server) and turns successive totals into rates per Service, per endpoint
// and per pod address. Counters that went down (a proxy restarted) count from zero again.
import type { EndpointTraffic, TrafficSample } from '../src/apiserver/ui/traffic.js';

export interface Rates {
  /** New connections (UDP: flows) per second. */
  connPerSec: number;
  /** Bytes per second, both directions. */
  bytesPerSec: number;
  /** Open connections now. */
  open: number;
  /** Connections so far (since the proxy started counting). */
  total: number;
  /** Failed dials plus clients turned away, so far. */
  errors: number;
  /** HTTP requests per second an ingress controller sent (Services and Ingresses). */
  reqPerSec: number;
}

export interface EndpointRow extends Rates {
  node: string;
  port: string;
  protocol: string;
  endpoint: string;
}

const zero = (): Rates => ({ connPerSec: 0, bytesPerSec: 0, open: 0, total: 0, errors: 0, reqPerSec: 0 });

function add(m: Map<string, Rates>, k: string, r: Rates): void {
  const cur = m.get(k) ?? zero();
  cur.connPerSec += r.connPerSec;
  cur.bytesPerSec += r.bytesPerSec;
  cur.open += r.open;
  cur.total += r.total;
  cur.errors += r.errors;
  cur.reqPerSec += r.reqPerSec;
  m.set(k, cur);
}

const rowKey = (e: EndpointTraffic) => `${e.node}|${e.namespace}/${e.service}:${e.port}/${e.protocol}|${e.endpoint}`;

export class TrafficModel {
  /** Per Service ("ns/name"). */
  services = new Map<string, Rates>();
  /** Per endpoint address (pod IP), whatever Service reached it. */
  addresses = new Map<string, Rates>();
  /** Per Ingress ("ns/name"): requests per second through the ingress controllers. */
  ingresses = new Map<string, Rates>();
  /** Per Service, one row per node × port × endpoint, for the details panel. */
  rows = new Map<string, EndpointRow[]>();
  /** Why there are no figures (not allowed, a node not answering), for the status line. */
  problem = '';
  private prev = new Map<string, { time: number; connections: number; bytes: number }>();
  private prevRequests = new Map<string, { time: number; requests: number }>();

  update(s: TrafficSample): void {
    const ingresses = new Map<string, Rates>();
    const services = new Map<string, Rates>();
    const addresses = new Map<string, Rates>();
    const rows = new Map<string, EndpointRow[]>();
    const prev = new Map<string, { time: number; connections: number; bytes: number }>();
    for (const e of s.endpoints) {
      const k = rowKey(e);
      const bytes = e.bytesToEndpoint + e.bytesToClient;
      const p = this.prev.get(k);
      const dt = p ? (s.time - p.time) / 1000 : 0;
      const since = (now: number, before: number) => (dt > 0 ? Math.max(0, now >= before ? now - before : now) / dt : 0);
      const r: Rates = {
        connPerSec: p ? since(e.connections, p.connections) : 0,
        bytesPerSec: p ? since(bytes, p.bytes) : 0,
        open: e.open,
        total: e.connections,
        errors: e.dialFailures,
        reqPerSec: 0,
      };
      prev.set(k, { time: s.time, connections: e.connections, bytes });
      const svc = `${e.namespace}/${e.service}`;
      add(services, svc, r);
      add(addresses, e.endpoint.slice(0, e.endpoint.lastIndexOf(':')), r);
      rows.set(svc, [...(rows.get(svc) ?? []), { ...r, node: e.node, port: e.port, protocol: e.protocol, endpoint: e.endpoint }]);
    }
    for (const u of s.unserved) add(services, `${u.namespace}/${u.service}`, { ...zero(), errors: u.connections });
    const prevRequests = new Map<string, { time: number; requests: number }>();
    for (const r of s.requests ?? []) {
      const k = `${r.controller}|${r.namespace}/${r.ingress}|${r.service}|${r.status}`;
      const p = this.prevRequests.get(k);
      const dt = p ? (s.time - p.time) / 1000 : 0;
      const perSec = p && dt > 0 ? Math.max(0, r.requests >= p.requests ? r.requests - p.requests : r.requests) / dt : 0;
      prevRequests.set(k, { time: s.time, requests: r.requests });
      if (r.service) add(services, `${r.namespace}/${r.service}`, { ...zero(), reqPerSec: perSec });
      if (r.ingress) add(ingresses, `${r.namespace}/${r.ingress}`, { ...zero(), reqPerSec: perSec });
    }
    this.prevRequests = prevRequests;
    this.ingresses = ingresses;
    this.prev = prev;
    this.services = services;
    this.addresses = addresses;
    this.rows = rows;
    const down = [...s.nodes, ...(s.controllers ?? [])].filter((n) => n.error);
    this.problem = down.length ? `no traffic figures from ${down.map((n) => `${n.name} (${n.error})`).join(', ')}` : '';
  }
}

/** Whether anything moves: drawn as a flowing edge. */
export function busy(r: Rates | undefined): r is Rates {
  return !!r && (r.connPerSec >= 0.05 || r.bytesPerSec >= 1 || r.open > 0 || r.reqPerSec >= 0.05);
}

/** "1.5 conn/s, 12 kB/s, 4.0 req/s" — or "idle". */
export function rateText(r: Rates | undefined): string {
  if (!busy(r)) return 'idle';
  const conn = r.connPerSec >= 0.05 || r.bytesPerSec >= 1 || r.open > 0 ? [`${r.connPerSec.toFixed(1)} conn/s`, `${bytesText(r.bytesPerSec)}/s`, ...(r.open ? [`${r.open} open`] : [])] : [];
  return [...conn, ...(r.reqPerSec >= 0.05 ? [`${r.reqPerSec.toFixed(1)} req/s`] : [])].join(', ');
}

export function bytesText(n: number): string {
  if (n < 1000) return `${Math.round(n)} B`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} kB`;
  return `${(n / 1e6).toFixed(1)} MB`;
}
