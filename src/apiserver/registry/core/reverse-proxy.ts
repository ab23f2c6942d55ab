// The API server's reverse proxy for services/x/proxy and pods/x/proxy, as upstream's
// UpgradeAwareHandler with its proxy transport: the request goes to one address the registry
// chose, without the caller's credentials; a redirect from the backend is rewritten to come back
// through the proxy; WebSocket and other upgrades are joined byte for byte; a backend that cannot
// be dialled is upstream's 503 "error trying to reach service".
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import { errors, StatusError } from '../../../machinery/status.js';
import { joinConnections, relayBody } from '../../../util/relay.js';

export interface ProxyTarget {
  scheme: 'http' | 'https';
  ip: string;
  port: number;
  /** The proxy's own path as the client named it, and the backend path after it ('' when none): splitProxyPath(). */
  prefix: string;
  path: string;
  /** The query string with its '?', or ''. */
  query: string;
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

/** Request headers for the backend: the client's, less hop-by-hop ones, credentials and impersonation, plus upstream's X-Forwarded-*. */
function requestHeaders(req: IncomingMessage, t: ProxyTarget, upgrade: boolean): OutgoingHttpHeaders {
  const named = new Set(
    String(req.headers.connection ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean),
  );
  const out: OutgoingHttpHeaders = {};
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!;
    const lower = name.toLowerCase();
    if (dropped.has(lower) || named.has(lower) || lower.startsWith('impersonate-')) continue;
    const prev = out[name];
    out[name] = prev === undefined ? req.rawHeaders[i + 1]! : ([] as string[]).concat(prev as string | string[], req.rawHeaders[i + 1]!);
  }
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
 * A backend's redirect to itself (a path, or a URL naming its own address or the Host the client
 * asked) made to come back through the proxy, as upstream's proxy transport rewrites Location.
 */
export function rewriteLocation(location: string, req: IncomingMessage, t: ProxyTarget): string {
  let u: URL;
  const base = `${t.scheme}://${hostPort(t)}${t.path || '/'}`;
  try {
    u = new URL(location, base);
  } catch {
    return location;
  }
  const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(location) || location.startsWith('//');
  if (absolute && u.host !== hostPort(t) && u.host !== req.headers.host) return location;
  if (!absolute && !location.startsWith('/')) return location;
  const host = req.headers.host ?? '';
  return `https://${host}${t.prefix}${u.pathname}${u.search}${u.hash}`;
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
export function proxyRequest(req: IncomingMessage, res: ServerResponse, t: ProxyTarget): Promise<void> {
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
      const headers: OutgoingHttpHeaders = {};
      for (let i = 0; i < backend.rawHeaders.length; i += 2) {
        const name = backend.rawHeaders[i]!;
        const lower = name.toLowerCase();
        if (dropped.has(lower)) continue;
        let value = backend.rawHeaders[i + 1]!;
        if (lower === 'location') value = rewriteLocation(value, req, t);
        const prev = headers[name];
        headers[name] = prev === undefined ? value : ([] as string[]).concat(prev as string | string[], value);
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
export function proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, t: ProxyTarget): Promise<void> {
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
