// The HTTP side of the routing core, shared by Ingress and the Gateway API: a router (match.ts for
// Ingress, gateway/match.ts for HTTPRoutes) turns a request into a Decision — forward to a
// Service's endpoints (with any rewrites and header changes the route asks for) or answer directly
// (a redirect, a 404/500) — and this proxy carries it out over a keep-alive pool per endpoint.
// Idempotent requests are retried on another endpoint when the connection fails before any
// response; X-Forwarded-For/-Proto/-Host are set as ingress-nginx sets them; bodies stream both
// ways. The router is swapped in memory (`update`), so a change never drops a request.
import { Agent, request as httpRequest, validateHeaderName, validateHeaderValue, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect as netConnect } from 'node:net';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { BackendAddress, RoundRobin } from './backends.js';

/** What a request matched, for the access log and metrics. */
export interface RouteInfo {
  kind: 'Ingress' | 'HTTPRoute';
  namespace: string;
  name: string;
  service?: string;
}

/** Header changes as the Gateway API's HTTPHeaderFilter has them: names are case-insensitive. */
export interface HeaderChanges {
  set?: { name: string; value: string }[];
  add?: { name: string; value: string }[];
  remove?: string[];
}

export interface Forward {
  kind: 'forward';
  info: RouteInfo;
  /** undefined or empty: 503. */
  endpoints: RoundRobin | undefined;
  /** The request target (path and query) to send instead of the client's. */
  url?: string;
  /** The Host header to send instead of the client's. */
  host?: string;
  requestHeaders?: HeaderChanges[];
  responseHeaders?: HeaderChanges[];
}

export interface Respond {
  kind: 'respond';
  info?: RouteInfo;
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export type Decision = Forward | Respond;

/**
 * What routing reads of a request: an IncomingMessage has it, and so does the raw HTTP/1.1 fast
 * path's parsed head (http1.ts), which makes no IncomingMessage.
 */
export interface RoutedRequest {
  method?: string | undefined;
  url?: string | undefined;
  httpVersion: string;
  /** Lower-case names; repeated ones joined as Node joins them. */
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string | undefined };
}

/** Where a request goes; undefined when nothing matches (404). */
export type Router = (req: RoutedRequest, scheme: 'http' | 'https') => Decision | undefined;

export interface ProxyOptions {
  /** Largest request body accepted (ingress-nginx's proxy-body-size, default 1m); 413 past it. */
  maxBodyBytes?: number;
  /** How long an idle kept-alive upstream connection is kept (nginx's upstream keepalive_timeout); 60 s. */
  upstreamIdleMs?: number;
  /** How long a client connection with nothing to read or write is kept (nginx's keepalive_timeout); 75 s. */
  clientIdleMs?: number;
  /** Called once per request with what the access log and metrics need. */
  onDone?: (e: { info?: RouteInfo; status: number; upstream?: string; ms: number; req: RoutedRequest }) => void;
}

/**
 * A map of headers by lower-case name, for names a client or backend chose. Its prototype has no
 * prototype, so a header named `constructor` or `__proto__` is only ever a header (as with
 * Object.create(null)); unlike Object.create(null), whose objects start in V8's dictionary mode and
 * cost a runtime call per header stored (about 0.4 us per request on the fast path), these get
 * hidden classes that requests with the same header names share.
 */
export const HeaderMap = function HeaderMap() {} as unknown as new () => Record<string, string>;
HeaderMap.prototype = Object.create(null) as object;

/** Methods whose request may be sent again to another endpoint when the first connection failed. */
export const idempotent = new Set(['GET', 'HEAD', 'OPTIONS', 'PUT', 'DELETE', 'TRACE']);
const hopByHop = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer'];

export class HttpProxy {
  private readonly agents = new Map<string, Agent>();
  constructor(private router: Router, private readonly opts: ProxyOptions = {}) {}

  /** Swaps the configuration; requests in flight keep the one they started with. */
  update(router: Router): void {
    this.router = router;
  }

  /** The router's answer; a router that throws (a route it cannot handle) gives a 500, never a crash. */
  private decide(req: RoutedRequest, scheme: 'http' | 'https'): Decision | undefined {
    try {
      return this.router(req, scheme);
    } catch {
      return { kind: 'respond', status: 500, body: '500 Internal Server Error\n' };
    }
  }

  private agent(a: BackendAddress): Agent {
    const key = `${a.ip}:${a.port}`;
    let agent = this.agents.get(key);
    if (!agent) {
      agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: this.opts.upstreamIdleMs ?? 60_000 });
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

  /** Proxies one request: HTTP/1.x from Node's http server, or HTTP/2 from its http2 compatibility API. */
  handle(request: IncomingMessage | Http2ServerRequest, response: ServerResponse | Http2ServerResponse, scheme: 'http' | 'https' = 'http'): void {
    // Both APIs have what is used below; the types differ in details this code does not touch.
    const req = request as IncomingMessage;
    const res = response as ServerResponse;
    const start = performance.now();
    const d = this.decide(routedView(request), scheme);
    const info = d?.info;
    const done = (status: number, upstream?: string) => this.opts.onDone?.({ info, status, upstream, ms: performance.now() - start, req: routedView(request) });
    const fail = (status: number, text: string, headers: Record<string, string> = {}) => {
      if (!res.headersSent) {
        try {
          res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
        } catch {
          // A header a route built (a redirect's Location) that HTTP cannot carry: the route's fault, not the client's.
          status = 500;
          res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' });
          text = '500 Internal Server Error: the route produced an invalid header\n';
        }
        res.end(text);
      } else res.destroy();
      done(status);
    };
    if (!d) return fail(404, '404 page not found\n');
    if (d.kind === 'respond') return fail(d.status, d.body ?? '', d.headers);
    const length = Number(req.headers['content-length'] ?? 0);
    const max = this.opts.maxBodyBytes ?? 1 << 20;
    if (length > max) return fail(413, '413 Request Entity Too Large\n');
    const endpoints = d.endpoints;
    if (!endpoints || endpoints.size === 0) return fail(503, '503 Service Temporarily Unavailable\n');

    const headers = forwardedHeaders(routedView(request), scheme);
    if (d.host !== undefined) headers['host'] = d.host;
    for (const c of d.requestHeaders ?? []) applyHeaderChanges(headers, c);
    const url = d.url ?? req.url;

    // Only a request whose body was not yet read can be sent again; idempotent ones have none in practice.
    const retryable = idempotent.has(req.method ?? 'GET') && length === 0 && req.headers['transfer-encoding'] === undefined;
    const tried = new Set<string>();
    let received = 0;
    let current: ReturnType<typeof httpRequest> | undefined;
    const attempt = (): void => {
      const a = endpoints.pick(tried);
      if (!a) return fail(502, '502 Bad Gateway\n');
      const key = `${a.ip}:${a.port}`;
      tried.add(key);
      let up: ReturnType<typeof httpRequest>;
      try {
        up = httpRequest({ host: a.ip, port: a.port, method: req.method, path: url, headers, agent: this.agent(a) });
      } catch {
        // A rewritten path HTTP cannot carry (Node refuses unescaped characters): the route's fault.
        return fail(500, '500 Internal Server Error: the route produced an invalid request\n');
      }
      current = up;
      up.on('response', (ur) => {
        const out = filterHeaders(ur.headers);
        for (const c of d.responseHeaders ?? []) applyHeaderChanges(out, c);
        // HTTP/2 has no reason phrase (Node warns when given one).
        if (request.httpVersionMajor === 2) res.writeHead(ur.statusCode ?? 502, out);
        else res.writeHead(ur.statusCode ?? 502, ur.statusMessage, out);
        ur.pipe(res);
        ur.on('end', () => done(ur.statusCode ?? 502, key));
        ur.on('error', () => res.destroy());
      });
      up.on('error', () => {
        if (res.headersSent) return res.destroy();
        // attempt() answers 502 once every endpoint in the list was tried (not `tried.size`
        // against the list's size: the one tried may have left the list meanwhile, a deleted pod).
        if (retryable) return attempt();
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
      if (res.writableFinished) return;
      // The client went away mid-answer: the upstream request goes too (its socket is not pooled).
      req.destroy();
      current?.destroy();
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
    const d = this.decide(req, scheme);
    const info = d?.info;
    const refuse = (status: number, text: string, extra = '') => {
      if (socket.writable) socket.end(`HTTP/1.1 ${status} ${text}\r\n${extra}Content-Type: text/plain; charset=utf-8\r\nConnection: close\r\nContent-Length: ${text.length + 1}\r\n\r\n${text}\n`);
      else socket.destroy();
      this.opts.onDone?.({ info, status, ms: performance.now() - start, req });
    };
    if (!d) return refuse(404, 'Not Found');
    if (d.kind === 'respond') {
      const extra = Object.entries(d.headers ?? {}).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      return refuse(d.status, d.status >= 300 && d.status < 400 ? 'Redirect' : 'Error', extra);
    }
    const a = d.endpoints?.pick();
    if (!a) return refuse(503, 'Service Temporarily Unavailable');
    const headers = forwardedHeaders(req, scheme);
    if (d.host !== undefined) headers['host'] = d.host;
    for (const c of d.requestHeaders ?? []) applyHeaderChanges(headers, c);
    headers['connection'] = 'Upgrade';
    if (req.headers.upgrade) headers['upgrade'] = req.headers.upgrade;
    const up = netConnect(a.port, a.ip);
    socket.on('error', () => up.destroy());
    up.on('error', () => (socket.writable && !up.bytesRead ? refuse(502, 'Bad Gateway') : socket.destroy()));
    up.on('connect', () => {
      const lines = [`${req.method} ${d.url ?? req.url} HTTP/1.1`];
      for (const [k, v] of Object.entries(headers)) for (const one of Array.isArray(v) ? v : [v]) lines.push(`${k}: ${one}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
      this.opts.onDone?.({ info, status: 101, upstream: `${a.ip}:${a.port}`, ms: performance.now() - start, req });
    });
    up.on('close', () => socket.destroy());
    socket.on('close', () => up.destroy());
  }
}

/** Whether HTTP can carry this header (Node throws on a bad name or a value with CR/LF). */
function valid(h: { name: string; value: string }): boolean {
  try {
    validateHeaderName(h.name);
    validateHeaderValue(h.name, h.value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Applies set (replace), add (append, comma-joined as HTTP folds repeated fields) and remove, by
 * lower-cased name. Headers HTTP cannot carry are skipped: one odd value in a route must not take
 * the proxy down.
 */
export function applyHeaderChanges(headers: Record<string, string | string[]>, c: HeaderChanges): void {
  for (const h of c.set ?? []) if (valid(h)) headers[h.name.toLowerCase()] = h.value;
  for (const h of c.add ?? []) {
    if (!valid(h)) continue;
    const k = h.name.toLowerCase();
    const prior = headers[k];
    headers[k] = prior === undefined ? h.value : `${Array.isArray(prior) ? prior.join(',') : prior},${h.value}`;
  }
  for (const name of c.remove ?? []) delete headers[name.toLowerCase()];
}

/** The request headers a backend gets: hop-by-hop ones dropped, X-Forwarded-* and X-Real-IP set as ingress-nginx sets them. */
/**
 * The request as routing sees it. HTTP/2 has no Host header: its `:authority` is the host, and its
 * other pseudo-headers (`:method`, `:path`, `:scheme`) are not headers to pass on.
 */
function routedView(req: IncomingMessage | Http2ServerRequest): RoutedRequest {
  if (req.httpVersionMajor !== 2) return req as IncomingMessage;
  const headers: IncomingHttpHeaders = new HeaderMap();
  for (const [k, v] of Object.entries(req.headers)) if (!k.startsWith(':') && v !== undefined) headers[k] = v as string | string[];
  headers.host = (req.headers[':authority'] as string | undefined) ?? headers.host;
  return { method: req.method, url: req.url, httpVersion: req.httpVersion, headers, socket: req.socket };
}

export function forwardedHeaders(req: RoutedRequest, scheme: 'http' | 'https'): Record<string, string | string[]> {
  const headers: Record<string, string | string[]> = new HeaderMap();
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !hopByHop.includes(k) && !k.startsWith(':')) headers[k] = v;
  const peer = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${String(prior)}, ${peer}` : peer;
  headers['x-forwarded-proto'] = scheme;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-real-ip'] = peer;
  return headers;
}

function filterHeaders(h: IncomingMessage['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = new HeaderMap();
  for (const [k, v] of Object.entries(h)) if (v !== undefined && !hopByHop.includes(k)) out[k] = v;
  return out;
}
