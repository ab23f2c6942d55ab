// The HTTP side of the routing core: a request handler that routes by host and path (match.ts),
// picks a backend endpoint (backends.ts) and proxies to it over a keep-alive pool per endpoint.
// Idempotent requests are retried on another endpoint when the connection fails before any
// response; X-Forwarded-For/-Proto/-Host are set as ingress-nginx sets them; bodies stream both
// ways. Configuration is swapped in memory (`update`), so a change never drops a request.
import { Agent, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Duplex } from 'node:stream';
import { route, type Route, type RouteTable } from './match.js';
import type { BackendAddress, RoundRobin } from './backends.js';

/** How a route's Service becomes endpoints; the controller keeps these current from its informers. */
export type EndpointsFor = (r: Route) => RoundRobin | undefined;

export interface ProxyOptions {
  /** Largest request body accepted (ingress-nginx's proxy-body-size, default 1m); 413 past it. */
  maxBodyBytes?: number;
  /** Called once per request with what the access log and metrics need. */
  onDone?: (e: { route?: Route; status: number; upstream?: string; ms: number; req: IncomingMessage }) => void;
}

const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

export class IngressProxy {
  private table: RouteTable;
  private readonly agents = new Map<string, Agent>();
  constructor(table: RouteTable, private endpointsFor: EndpointsFor, private readonly opts: ProxyOptions = {}) {
    this.table = table;
  }

  /** Swaps the configuration; requests in flight keep the one they started with. */
  update(table: RouteTable, endpointsFor?: EndpointsFor): void {
    this.table = table;
    if (endpointsFor) this.endpointsFor = endpointsFor;
  }

  private agent(a: BackendAddress): Agent {
    const key = `${a.ip}:${a.port}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 60_000 });
      this.agents.set(key, agent);
    }
    return agent;
  }

  /** Closes the idle connections of endpoints that are gone (terminating pods drain, then go). */
  forget(keep: ReadonlySet<string>): void {
    for (const [key, agent] of this.agents) {
      if (!keep.has(key)) {
        agent.destroy();
        this.agents.delete(key);
      }
    }
  }

  close(): void {
    this.forget(new Set());
  }

  handle(req: IncomingMessage, res: ServerResponse, scheme: 'http' | 'https' = 'http'): void {
    const start = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const r = route(this.table, req.headers.host ?? '', path);
    const done = (status: number, upstream?: string) =>
      this.opts.onDone?.({ route: r, status, upstream, ms: performance.now() - start, req });
    const fail = (status: number, text: string) => {
      if (!res.headersSent) {
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(text);
      } else res.destroy();
      done(status);
    };
    if (!r) return fail(404, '404 page not found\n');
    const length = Number(req.headers['content-length'] ?? 0);
    const max = this.opts.maxBodyBytes ?? 1 << 20;
    if (length > max) return fail(413, '413 Request Entity Too Large\n');
    const endpoints = this.endpointsFor(r);
    if (!endpoints || endpoints.size === 0) return fail(503, '503 Service Temporarily Unavailable\n');

    const headers = forwardedHeaders(req, scheme);

    // Only a request whose body was not yet read can be sent again; idempotent ones have none in practice.
    const retryable = idempotent.has(req.method ?? 'GET') && length === 0 && req.headers['transfer-encoding'] === undefined;
    const tried = new Set<string>();
    let received = 0;
    const attempt = (): void => {
      const a = endpoints.pick(tried);
      if (!a) return fail(502, '502 Bad Gateway\n');
      const key = `${a.ip}:${a.port}`;
      tried.add(key);
      const up = httpRequest({ host: a.ip, port: a.port, method: req.method, path: req.url, headers, agent: this.agent(a) });
      up.on('response', (ur) => {
        res.writeHead(ur.statusCode ?? 502, ur.statusMessage, filterHeaders(ur.headers));
        ur.pipe(res);
        ur.on('end', () => done(ur.statusCode ?? 502, key));
        ur.on('error', () => res.destroy());
      });
      up.on('error', () => {
        if (res.headersSent) return res.destroy();
        if (retryable && tried.size < endpoints.size) return attempt();
        fail(502, '502 Bad Gateway\n');
      });
      if (retryable) up.end();
      else {
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received > max) {
            up.destroy();
            fail(413, '413 Request Entity Too Large\n');
          }
        });
        req.pipe(up);
      }
    };
    res.on('close', () => {
      if (!res.writableFinished) req.destroy();
    });
    attempt();
  }

  /**
   * An `Upgrade` request (WebSocket and the like): routed as any request, then the connection is
   * handed over — the request goes to the backend as it came (X-Forwarded-* added, Connection and
   * Upgrade kept), and from its answer on, bytes flow both ways untouched until either side closes.
   */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, scheme: 'http' | 'https' = 'http'): void {
    const start = performance.now();
    const path = (req.url ?? '/').split('?')[0]!;
    const r = route(this.table, req.headers.host ?? '', path);
    const refuse = (status: number, text: string) => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
      else socket.destroy();
      this.opts.onDone?.({ route: r, status, ms: performance.now() - start, req });
    };
    if (!r) return refuse(404, 'Not Found');
    const a = this.endpointsFor(r)?.pick();
    if (!a) return refuse(503, 'Service Temporarily Unavailable');
    const headers = forwardedHeaders(req, scheme);
    headers['connection'] = 'Upgrade';
    if (req.headers.upgrade) headers['upgrade'] = req.headers.upgrade;
    const up = netConnect(a.port, a.ip);
    socket.on('error', () => up.destroy());
    up.on('error', () => (socket.writable && !up.bytesRead ? refuse(502, 'Bad Gateway') : socket.destroy()));
    up.on('connect', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
      this.opts.onDone?.({ route: r, status: 101, upstream: `${a.ip}:${a.port}`, ms: performance.now() - start, req });
    });
    up.on('close', () => socket.destroy());
    socket.on('close', () => up.destroy());
  }
}

/** The request headers a backend gets: hop-by-hop ones dropped, X-Forwarded-* and X-Real-IP set as ingress-nginx sets them. */
function forwardedHeaders(req: IncomingMessage, scheme: 'http' | 'https'): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !hopByHop.includes(k)) headers[k] = v;
  const peer = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${peer}` : peer;
  headers['x-forwarded-proto'] = scheme;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-real-ip'] = peer;
  return headers;
}

function filterHeaders(h: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !hopByHop.includes(k)) out[k] = v;
  return out;
}
