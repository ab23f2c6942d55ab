// The kubelet API (HTTPS, port 10250 by default) each node agent serves on its node IP: the
// streaming endpoints the API server proxies pods/log, exec, attach and portforward to
// (/containerLogs, /exec, /attach, /portForward), /healthz, /pods and /stats/summary, behind the
// kubelet's own authentication and authorization (auth.ts). Its serving certificate is signed
// by the cluster CA for the node's IP and name, so the API server can verify whom it dials.
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Pod } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import { errors, StatusError } from '../../machinery/status.js';
import { parseLogOptions } from '../../streaming/log-options.js';
import { sendLogStream } from '../../streaming/log-stream.js';
import type { StreamingRuntime } from '../../streaming/runtime.js';
import { getText } from '../../util/http-text.js';
import { logger } from '../../util/log.js';
import { KubeletAuth, kubeletVerb, nodeSubresource } from './auth.js';
import { SummaryProvider, type PodProcesses } from './stats.js';
import { upgradeAttach, upgradeExec, upgradePortForward, type StreamPodLookup, type StreamRequest } from './streaming.js';

const log = logger('kubelet');

export const defaultKubeletPort = 10250;

/** What the kubelet API serves from: the node's runtime and its pods. */
export interface KubeletHost {
  runtime: StreamingRuntime;
  /** The pods bound to this node, as the agent last saw them (with the status it reported). */
  pods(): Pod[];
  /** The root process of each running container, for /stats/summary. */
  podProcesses(): PodProcesses[];
  /**
   * Where this node's kube-proxy serves its /metrics (http://127.0.0.1:port/metrics), once it runs:
   * /metrics/proxy passes them on, so the API server (and through it the live view) can read
   * what the node's proxy carried without reaching into the node.
   */
  proxyMetricsURL?(): string | undefined;
}

/** How long /metrics/proxy waits for kube-proxy. */
const PROXY_METRICS_TIMEOUT_MS = 2000;
/** The most /metrics/proxy relays; kube-proxy's figures are far smaller even at 10,000 endpoints. */
const PROXY_METRICS_MAX_BYTES = 64 << 20;

export interface KubeletServerOptions {
  nodeName: string;
  /** Address to listen on (the node IP). */
  address: string;
  /** --port: 10250 by default; 0 picks a free one (tests, several nodes on one address). */
  port?: number;
  /** Serving certificate and key (signed by the cluster CA for the node's IP and name). */
  cert: string;
  key: string;
  /** --client-ca-file: the cluster CA. */
  clientCA: string;
  /** For TokenReview and SubjectAccessReview. */
  client: Client;
}

/** Headers and the request line together; the kubelet reads no request bodies. */
const MAX_HEADER_BYTES = 16 << 10;

class HttpText extends Error {
  constructor(
    readonly code: number,
    readonly text: string,
  ) {
    super(text);
  }
}

export class KubeletServer {
  private readonly server: https.Server;
  private readonly auth: KubeletAuth;
  private readonly stats: SummaryProvider;
  private readonly sockets = new Set<Duplex>();

  constructor(
    private readonly opts: KubeletServerOptions,
    private readonly host: KubeletHost,
  ) {
    this.auth = new KubeletAuth(opts.client, opts.nodeName);
    this.stats = new SummaryProvider(opts.nodeName);
    this.server = https.createServer({
      cert: opts.cert,
      key: opts.key,
      ca: opts.clientCA,
      // Certificates are verified, but a caller without one may still bring a token.
      requestCert: true,
      rejectUnauthorized: false,
      maxHeaderSize: MAX_HEADER_BYTES,
    });
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 0;
    this.server.on('request', (req, res) => void this.serve(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.serveUpgrade(req, socket, head));
    this.server.on('connection', (s: Duplex) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    this.server.on('secureConnection', (s: Duplex) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    // What Go's server answers a request it cannot parse, then the connection closes.
    this.server.on('clientError', (e: NodeJS.ErrnoException, socket) => {
      const line = e.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${line}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${line}`);
      else socket.destroy();
    });
  }

  /** A renewed serving certificate (rotation): new handshakes use it, open connections keep theirs. */
  setCertificate(cert: string, key: string): void {
    this.server.setSecureContext({ cert, key, ca: this.opts.clientCA });
  }

  async start(): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.opts.port ?? defaultKubeletPort, this.opts.address, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const port = this.port;
    log.info(`kubelet API for node ${this.opts.nodeName} on https://${this.opts.address}:${port}`);
    return port;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of this.sockets) s.destroy();
    await closed;
  }

  /** The path's segments, or a 404 for what no route could name (`..`, bad escapes). */
  private segments(req: IncomingMessage): { path: string; parts: string[]; query: URLSearchParams } {
    const raw = req.url ?? '/';
    const q = raw.indexOf('?');
    const path = q < 0 ? raw : raw.slice(0, q);
    if (!path.startsWith('/')) throw new HttpText(404, '404 page not found\n');
    let parts: string[];
    try {
      parts = path.split('/').slice(1).map(decodeURIComponent);
    } catch {
      throw new HttpText(400, 'malformed path\n');
    }
    if (parts.some((p) => p === '.' || p === '..' || p.includes('/'))) throw new HttpText(404, '404 page not found\n');
    let query: URLSearchParams;
    try {
      query = new URL(raw, 'https://kubelet').searchParams;
    } catch {
      throw new HttpText(400, 'malformed query\n');
    }
    return { path, parts, query };
  }

  /** Authentication then authorization; throws 401 / 403 in the kubelet's plain-text wording. */
  private async admit(req: IncomingMessage, path: string): Promise<void> {
    const user = await this.auth.authenticate(req);
    if (!user) throw new HttpText(401, 'Unauthorized');
    const verb = kubeletVerb(req.method);
    const subresource = nodeSubresource(path);
    if (!(await this.auth.authorize(user, verb, subresource))) {
      throw new HttpText(403, `Forbidden (user=${user.name}, verb=${verb}, resource=nodes, subresource=${subresource})`);
    }
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Nothing here reads a body: whatever a caller sends is drained, never held.
    req.resume();
    try {
      const { path, parts, query } = this.segments(req);
      await this.admit(req, path);
      await this.route(req, res, parts, query);
    } catch (e) {
      this.fail(res, e);
    }
  }

  private async route(req: IncomingMessage, res: ServerResponse, parts: string[], query: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    const [head, ...rest] = parts;
    const getOnly = () => {
      if (method !== 'GET' && method !== 'HEAD') throw new HttpText(405, '405 method not allowed\n');
    };
    if (head === 'healthz' && rest.length === 0) {
      getOnly();
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      return void res.end('ok');
    }
    if (head === 'pods' && (rest.length === 0 || (rest.length === 1 && rest[0] === ''))) {
      getOnly();
      return json(res, { kind: 'PodList', apiVersion: 'v1', metadata: {}, items: this.host.pods() });
    }
    if (head === 'stats' && rest.length === 1 && rest[0] === 'summary') {
      getOnly();
      return json(res, this.stats.summary(this.host.podProcesses()));
    }
    if (head === 'metrics' && rest.length === 1 && rest[0] === 'proxy') {
      getOnly();
      const url = this.host.proxyMetricsURL?.();
      if (!url) throw new HttpText(404, 'no kube-proxy runs on this node\n');
      const text = await getText(url, { timeoutMs: PROXY_METRICS_TIMEOUT_MS, maxBytes: PROXY_METRICS_MAX_BYTES }).catch((e: Error) => {
        throw new HttpText(503, `kube-proxy's metrics are not available: ${e.message}\n`);
      });
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      return void res.end(text);
    }
    if (head === 'containerLogs' && rest.length === 3) {
      getOnly();
      const [namespace, pod, container] = rest as [string, string, string];
      const { container: _c, ...opts } = parseLogOptions(query, pod);
      const stream = await this.host.runtime.logs(namespace, pod, container, opts);
      return sendLogStream(res, stream);
    }
    if ((head === 'exec' || head === 'attach' || head === 'portForward') && rest.length >= 2) {
      throw errors.badRequest('Upgrade request required');
    }
    throw new HttpText(404, '404 page not found\n');
  }

  private async serveUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    try {
      const { path, parts, query } = this.segments(req);
      await this.admit(req, path);
      const [kind, ...rest] = parts;
      const lookup: StreamPodLookup = (namespace, name) => this.host.pods().find((p) => p.metadata.namespace === namespace && p.metadata.name === name);
      const stream = (): StreamRequest => ({ runtime: this.host.runtime, lookup, req, socket, head, namespace: rest[0]!, name: rest[1]!, query });
      // /exec/{ns}/{pod}/{container} or /exec/{ns}/{pod}/{uid}/{container}, as the kubelet routes them.
      if (kind === 'exec' && (rest.length === 3 || rest.length === 4)) return await upgradeExec(stream(), rest.at(-1)!);
      if (kind === 'attach' && (rest.length === 3 || rest.length === 4)) return await upgradeAttach(stream(), rest.at(-1)!);
      if (kind === 'portForward' && (rest.length === 2 || rest.length === 3)) return await upgradePortForward(stream());
      throw new HttpText(404, '404 page not found\n');
    } catch (e) {
      writeRawError(socket, e);
    }
  }

  private fail(res: ServerResponse, e: unknown): void {
    if (res.headersSent) return void res.destroy();
    if (e instanceof HttpText) {
      res.writeHead(e.code, { 'Content-Type': 'text/plain; charset=utf-8', 'X-Content-Type-Options': 'nosniff' });
      return void res.end(e.text);
    }
    const se = e instanceof StatusError ? e : errors.internal(e instanceof Error ? e.message : String(e));
    if (!(e instanceof StatusError)) log.warn(`kubelet API: ${se.message}`);
    json(res, se.toStatus(), se.code);
  }
}

function json(res: ServerResponse, body: unknown, code = 200): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

/** An error before the switch of protocols, written on the raw connection, which then closes. */
function writeRawError(socket: Duplex, e: unknown): void {
  let code: number;
  let type: string;
  let body: string;
  if (e instanceof HttpText) {
    code = e.code;
    type = 'text/plain; charset=utf-8';
    body = e.text;
  } else {
    const se = e instanceof StatusError ? e : errors.internal(e instanceof Error ? e.message : String(e));
    code = se.code;
    type = 'application/json';
    body = JSON.stringify(se.toStatus());
  }
  if (!socket.writable) return void socket.destroy();
  socket.end(`HTTP/1.1 ${code} ${statusText(code)}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function statusText(code: number): string {
  return { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed' }[code] ?? 'Error';
}
