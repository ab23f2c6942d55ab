// The API server's reverse proxy for services/x/proxy and pods/x/proxy, as upstream's
// UpgradeAwareHandler with its proxy transport: the request goes to one address the registry
// chose, without the caller's credentials; a redirect from the backend, and the links of an HTML
// page, are rewritten to come back through the proxy; WebSocket and other upgrades are joined
// byte for byte; a backend that cannot be dialled is upstream's 503 "error trying to reach service".
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import zlib from 'node:zlib';
import type { Duplex } from 'node:stream';
import { errors, StatusError } from '../../../machinery/status.js';
import { joinConnections, relayBody } from '../../../util/relay.js';
import { rewriteHTML } from './html-rewrite.js';
import { querySuffix, splitProxyPath } from './proxy-location.js';
import type { ResourceRoute } from '../../http/route-types.js';
import type { SubresourceREST } from '../entry.js';

/** Where a registry's ResourceLocation sends a request. */
export interface ProxyLocation {
  scheme: 'http' | 'https';
  ip: string;
  port: number;
}

interface ProxyTarget extends ProxyLocation {
  /** The proxy's own path as the client named it, and the backend path after it ('' when none): splitProxyPath(). */
  prefix: string;
  path: string;
  /** The query string with its '?', or ''. */
  query: string;
}

/** The proxy subresource of a resource whose `locate` picks the address (services/proxy, pods/proxy). */
export function proxyREST(locate: (route: ResourceRoute) => Promise<ProxyLocation>): SubresourceREST {
  const target = async (req: IncomingMessage, route: ResourceRoute): Promise<ProxyTarget> => ({ ...(await locate(route)), ...splitProxyPath(req, route), query: querySuffix(req) });
  return {
    serve: async (req, res, route) => proxyRequest(req, res, await target(req, route)),
    upgrade: async (req, socket, head, route) => proxyUpgrade(req, socket, head, await target(req, route)),
  };
}

/** As upstream's proxy dialer: a backend that does not accept within this long is "i/o timeout". */
const DIAL_TIMEOUT_MS = 30_000;

/** Hop-by-hop headers (RFC 7230 6.1) and what only the API server may read. */
const dropped = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'authorization',
]);

function hostPort(t: ProxyTarget): string {
  return net.isIPv6(t.ip) ? `[${t.ip}]:${t.port}` : `${t.ip}:${t.port}`;
}

/** Raw headers passed on, repeated ones kept, those `skip` names left out; `value` may change one. */
function passHeaders(raw: string[], skip: (lower: string) => boolean, value = (_lower: string, v: string) => v): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (skip(lower)) continue;
    const v = value(lower, raw[i + 1]!);
    const prev = out[name];
    out[name] = prev === undefined ? v : ([] as string[]).concat(prev as string | string[], v);
  }
  return out;
}

/** Request headers for the backend: the client's, less hop-by-hop ones, credentials and impersonation, plus upstream's X-Forwarded-*. */
function requestHeaders(req: IncomingMessage, t: ProxyTarget, upgrade: boolean): OutgoingHttpHeaders {
  const named = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  // X-Forwarded-* are the proxy's to say (the client's For is kept, in front of its address).
  const out = passHeaders(req.rawHeaders, (lower) => dropped.has(lower) || named.has(lower) || lower.startsWith('impersonate-') || lower.startsWith('x-forwarded-'));
  if (upgrade) {
    out.Connection = 'Upgrade';
    out.Upgrade = String(req.headers.upgrade ?? '');
  }
  const client = req.socket.remoteAddress ?? '';
  const xff = req.headers['x-forwarded-for'];
  out['X-Forwarded-For'] = xff ? `${String(xff)}, ${client}` : client;
  out['X-Forwarded-Uri'] = t.prefix + (t.path || '/');
  if (req.headers.host) out['X-Forwarded-Host'] = req.headers.host;
  out['X-Forwarded-Proto'] = 'https';
  return out;
}

/**
 * A URL the backend wrote (a redirect's Location, a link in an HTML page) made to come back
 * through the proxy when it points at the backend itself: a path (`/login`), or a URL naming the
 * backend's address or the Host the client asked, as upstream's proxy transport rewrites them.
 * A relative reference (`page.html`, `#top`) is left as it is: the browser resolves it against
 * the proxied page, which is already under the proxy (upstream joins it to the proxy's root).
 */
function rewriteURL(url: string, req: IncomingMessage, t: ProxyTarget): string {
  const host = req.headers.host ?? '';
  // The path, query and fragment are carried over as written (never parsed and re-encoded), so
  // whatever bytes the page holds come back unchanged.
  let rest: string;
  const absolute = /^([a-zA-Z][a-zA-Z0-9+.-]*:)?\/\/([^/?#]*)/.exec(url);
  if (absolute) {
    const authority = absolute[2]!.replace(/^[^@]*@/, '').toLowerCase();
    if (absolute[1] && !/^https?:$/i.test(absolute[1])) return url;
    if (authority !== hostPort(t).toLowerCase() && authority !== host.toLowerCase()) return url;
    rest = url.slice(absolute[0].length);
    if (!rest.startsWith('/')) rest = `/${rest}`;
  } else if (url.startsWith('/')) {
    rest = url;
  } else {
    // mailto:, javascript:, data: and relative references.
    return url;
  }
  // Already under the proxy (the backend knows where it is served): only the scheme and host change.
  const under = rest === t.prefix || rest.startsWith(`${t.prefix}/`) || rest.startsWith(`${t.prefix}?`) || rest.startsWith(`${t.prefix}#`);
  return `https://${host}${under ? rest : t.prefix + rest}`;
}

/**
 * Pages larger than this (read, or once decompressed) are passed on as they are: rewriting is
 * synchronous work on the event loop, and a small gzip body must not unpack into gigabytes.
 */
const MAX_REWRITTEN_PAGE = 8 << 20;

/** An HTML body the proxy rewrites: plain, gzip or deflate (another encoding is passed on as it is). */
function rewritable(status: number, method: string, headers: IncomingMessage['headers']): boolean {
  if (method === 'HEAD' || status === 204 || status === 304) return false;
  const type = String(headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const encoding = String(headers['content-encoding'] ?? '').trim().toLowerCase();
  return type === 'text/html' && ['', 'identity', 'gzip', 'deflate'].includes(encoding);
}

/** The page with its links rewritten, in the backend's encoding; undefined when it cannot be read as it says. */
function rewritePage(body: Buffer, encoding: string, req: IncomingMessage, t: ProxyTarget): Buffer | undefined {
  try {
    const limit = { maxOutputLength: MAX_REWRITTEN_PAGE };
    const plain = encoding === 'gzip' ? zlib.gunzipSync(body, limit) : encoding === 'deflate' ? zlib.inflateSync(body, limit) : body;
    // Read byte for byte (latin1): the markup is ASCII, and every other byte goes back as it came,
    // whatever the page's charset.
    const page = Buffer.from(rewriteHTML(plain.toString('latin1'), (u) => rewriteURL(u, req, t)), 'latin1');
    return encoding === 'gzip' ? zlib.gzipSync(page) : encoding === 'deflate' ? zlib.deflateSync(page) : page;
  } catch {
    return undefined;
  }
}

/** Reads the page, rewrites its links, and sends it; a page over the limit goes on unchanged as it streams. */
function sendRewrittenPage(backend: IncomingMessage, res: ServerResponse, headers: OutgoingHttpHeaders, req: IncomingMessage, t: ProxyTarget): Promise<void> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (size <= MAX_REWRITTEN_PAGE) return;
      backend.off('data', onData);
      backend.off('end', onEnd);
      backend.pause();
      res.writeHead(backend.statusCode ?? 502, headers);
      for (const b of chunks) res.write(b);
      void relayBody(backend, res).then(resolve);
    };
    const onEnd = () => {
      const encoding = String(backend.headers['content-encoding'] ?? '').trim().toLowerCase();
      const body = rewritePage(Buffer.concat(chunks), encoding, req, t) ?? Buffer.concat(chunks);
      for (const name of Object.keys(headers)) if (name.toLowerCase() === 'content-length') delete headers[name];
      headers['Content-Length'] = body.length;
      res.writeHead(backend.statusCode ?? 502, headers);
      res.end(body);
      resolve();
    };
    backend.on('data', onData);
    backend.once('end', onEnd);
    backend.once('error', () => {
      res.destroy();
      resolve();
    });
    res.once('close', () => {
      backend.destroy();
      resolve();
    });
  });
}

/** Go's dial error words for what Node reports. */
function dialFailure(t: ProxyTarget, e: NodeJS.ErrnoException): StatusError {
  const why =
    e.code === 'ECONNREFUSED'
      ? 'connect: connection refused'
      : e.code === 'EHOSTUNREACH'
        ? 'connect: no route to host'
        : e.code === 'ENETUNREACH'
          ? 'connect: network is unreachable'
          : e.code === 'ETIMEDOUT'
            ? 'i/o timeout'
            : e.message;
  return errors.unavailable(`error trying to reach service: dial tcp ${hostPort(t)}: ${why}`);
}

/** Serves one proxied request; rejects (before anything was written) with the Status the client gets. */
function proxyRequest(req: IncomingMessage, res: ServerResponse, t: ProxyTarget): Promise<void> {
  const method = req.method ?? 'GET';
  // No path at all: upstream sends GET and HEAD to the same place with a trailing slash, so
  // relative links on the backend's index page resolve under the proxy.
  if (t.path === '' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(301, { Location: `${t.prefix}/${t.query}`, 'Content-Length': 0 });
    res.end();
    return Promise.resolve();
  }
  const options: https.RequestOptions = {
    host: t.ip,
    port: t.port,
    method,
    path: (t.path || '/') + t.query,
    headers: requestHeaders(req, t, false),
    agent: false,
    timeout: DIAL_TIMEOUT_MS,
    // The backend is a pod: its certificate names nothing the API server could check (upstream
    // skips verification for proxied pods and services as well).
    ...(t.scheme === 'https' ? { rejectUnauthorized: false } : {}),
  };
  return new Promise((resolve, reject) => {
    let answered = false;
    const up = (t.scheme === 'https' ? https : http).request(options, (backend) => {
      answered = true;
      up.setTimeout(0);
      const headers = passHeaders(backend.rawHeaders, (lower) => dropped.has(lower), (lower, v) => (lower === 'location' ? rewriteURL(v, req, t) : v));
      if (rewritable(backend.statusCode ?? 0, method, backend.headers)) {
        void sendRewrittenPage(backend, res, headers, req, t).then(resolve);
        return;
      }
      res.writeHead(backend.statusCode ?? 502, headers);
      void relayBody(backend, res).then(resolve);
    });
    up.once('timeout', () => up.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
    up.once('error', (e: NodeJS.ErrnoException) => {
      if (answered) return;
      reject(dialFailure(t, e));
    });
    // A client that leaves takes its backend request with it.
    req.once('aborted', () => up.destroy());
    if (method === 'GET' || method === 'HEAD') up.end();
    else req.pipe(up);
  });
}

/** Passes an upgrade (WebSocket) through: the request is written to the backend, then both connections are joined. */
function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, t: ProxyTarget): Promise<void> {
  const headers = requestHeaders(req, t, true);
  const lines = [`${req.method ?? 'GET'} ${(t.path || '/') + t.query} HTTP/1.1`];
  for (const [name, value] of Object.entries(headers)) for (const v of ([] as unknown[]).concat(value)) lines.push(`${name}: ${String(v)}`);
  return new Promise((resolve, reject) => {
    const backend: net.Socket =
      t.scheme === 'https' ? tls.connect({ host: t.ip, port: t.port, rejectUnauthorized: false }) : net.connect({ host: t.ip, port: t.port });
    backend.setTimeout(DIAL_TIMEOUT_MS, () => backend.destroy(Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' })));
    let connected = false;
    const abandon = () => backend.destroy();
    socket.once('close', abandon);
    backend.once(t.scheme === 'https' ? 'secureConnect' : 'connect', () => {
      connected = true;
      backend.setTimeout(0);
      socket.off('close', abandon);
      if (socket.destroyed) {
        backend.destroy();
        return resolve();
      }
      backend.write(lines.join('\r\n') + '\r\n\r\n');
      if (head.length) backend.write(head);
      // From here the backend answers the client itself: its 101, or its refusal.
      joinConnections(socket, backend);
      resolve();
    });
    backend.once('error', (e: NodeJS.ErrnoException) => {
      if (!connected) reject(dialFailure(t, e));
    });
  });
}
