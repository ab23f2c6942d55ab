// The Client over HTTPS, for components running outside the API server's process: JSON bodies,
// client-certificate authentication, a bounded pool of keep-alive connections for requests,
// and watches as streaming GETs (one connection each) with one JSON event per line.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeList, KubeObject } from '../api/meta.js';
import { StatusError } from '../machinery/status.js';
import type {
  Client,
  DeleteOptions,
  ListOptions,
  PatchType,
  ResourceRef,
  WatchEvent,
  WatchHandle,
  WatchOptions,
  WriteOptions,
} from './client.js';
import { loadKubeconfig } from './kubeconfig.js';
import { LineSplitter } from './line-splitter.js';
import { listQuery, patchContentType, resourcePath, watchQuery, withQuery, writeQuery } from './paths.js';
import { isStatus, responseError } from './status-errors.js';
import { logger } from '../util/log.js';

const log = logger('client');

export interface HttpClientOptions {
  /** e.g. https://127.0.0.1:6443 */
  server: string;
  /** PEM of the CA that signed the server's certificate. */
  ca: string;
  /** PEM client certificate and key (what components use). */
  cert?: string;
  key?: string;
  /**
   * A bearer token instead (what a pod uses: its ServiceAccount token), or how to read the current
   * one: a projected token is rotated by the node, so it is read again for each request.
   */
  token?: string | (() => string);
}

/** As client-go's default (`<binary>/<version> (<os>/<arch>) kubernetes/<commit>`), in short. */
const userAgent = `kubesvc/0.1.0 (${process.platform}/${process.arch})`;

/** Concurrent request connections per client (watches not counted). */
const maxRequestSockets = 32;

interface Response {
  code: number;
  body: string;
}

/** URL.hostname keeps an IPv6 address in brackets; the socket needs it without. */
function serverAddress(url: string): { hostname: string; port: string; origin: string } {
  const u = new URL(url);
  return { hostname: u.hostname.replace(/^\[(.*)\]$/, '$1'), port: u.port || '443', origin: u.origin };
}

/** Errors of a connection that was never made: no request reached the server. */
const unreachable = (e: NodeJS.ErrnoException) => ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN'].includes(e.code ?? '');

export class HttpClient implements Client {
  private agent: https.Agent;
  private watchAgent: https.Agent;
  private readonly ca: string;
  /** The API servers this client may use (the one given first); requests go to `servers[current]`. */
  private servers: { hostname: string; port: string; origin: string }[];
  private current = 0;
  /** Open watch requests, ended by close(). */
  private readonly watches = new Set<() => void>();
  /** The Authorization header of each request, when the client authenticates with a token. */
  private readonly authorization: () => Record<string, string>;

  constructor(opts: HttpClientOptions) {
    this.servers = [serverAddress(opts.server)];
    this.ca = opts.ca;
    const tls = { ca: opts.ca, ...(opts.cert && opts.key ? { cert: opts.cert, key: opts.key } : {}) };
    const token = opts.token;
    this.authorization = token === undefined ? () => ({}) : () => ({ Authorization: `Bearer ${typeof token === 'string' ? token : token()}` });
    // Requests share a bounded pool (a burst of thousands queues here rather than opening
    // thousands of TLS connections); watches hold their connection for minutes, so they get
    // their own unbounded agent and can never starve requests.
    this.agent = new https.Agent({ keepAlive: true, maxSockets: maxRequestSockets, ...tls });
    this.watchAgent = new https.Agent({ keepAlive: false, ...tls });
  }

  /**
   * Use a renewed client certificate from now on (a node rotating its certificate). Connections
   * already open keep the one they were made with, which the server checked at their handshake;
   * the old pools are let go once those have had time to finish.
   */
  setCredentials(cert: string, key: string): void {
    const old = [this.agent, this.watchAgent];
    const tls = { ca: this.ca, cert, key };
    this.agent = new https.Agent({ keepAlive: true, maxSockets: maxRequestSockets, ...tls });
    this.watchAgent = new https.Agent({ keepAlive: false, ...tls });
    setTimeout(() => old[0]!.destroy(), 60_000).unref();
    this.retired.push(...old);
  }

  /**
   * The API servers to fail over between (a node's agent learns them from the `kubernetes`
   * Service's endpoints, as k3s's agent load balancer does). The one in use stays while listed.
   */
  setServers(urls: string[]): void {
    if (!urls.length) return;
    const inUse = this.servers[this.current]!.origin;
    this.servers = [...new Set(urls)].map(serverAddress);
    this.current = Math.max(0, this.servers.findIndex((s) => s.origin === inUse));
    if (this.servers[this.current]!.origin !== inUse) log.info(`API server ${inUse} is no longer listed; using ${this.servers[this.current]!.origin}`);
  }

  /** The API servers this client fails over between; the one in use first. */
  serverURLs(): string[] {
    return [...this.servers.slice(this.current), ...this.servers.slice(0, this.current)].map((s) => s.origin);
  }

  /**
   * The server at `index` could not be reached: move on to the next one (once per failure, however
   * many requests saw it). True when there is another to try.
   */
  private failOver(index: number, e: NodeJS.ErrnoException): boolean {
    if (this.servers.length < 2) return false;
    if (this.current === index) {
      const from = this.servers[index]!.origin;
      this.current = (index + 1) % this.servers.length;
      log.warn(`API server ${from} unreachable (${e.code}); using ${this.servers[this.current]!.origin}`);
    }
    return true;
  }

  /** Pools replaced by setCredentials, destroyed by close() too. */
  private readonly retired: https.Agent[] = [];

  static fromKubeconfig(path: string): HttpClient {
    return new HttpClient(loadKubeconfig(path));
  }

  /** Ends open watches and idle connections; the client must not be used afterwards. */
  close(): void {
    for (const stop of [...this.watches]) stop();
    this.agent.destroy();
    this.watchAgent.destroy();
    for (const a of this.retired) a.destroy();
  }

  private request(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<Response> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const attempt = (retry: boolean, tries = 0): Promise<Response> =>
      new Promise((resolve, reject) => {
        const index = this.current;
        const server = this.servers[index]!;
        const req = https.request(
          {
            protocol: 'https:',
            hostname: server.hostname,
            port: server.port,
            path,
            method,
            agent: this.agent,
            headers: {
              Accept: 'application/json',
              'User-Agent': userAgent,
              ...this.authorization(),
              ...(payload ? { 'Content-Type': contentType, 'Content-Length': payload.length } : {}),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ code: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
          },
        );
        req.on('error', (e: NodeJS.ErrnoException) => {
          // A kept-alive connection the server closed just as we reused it: the server never
          // read the request, so sending it again on a fresh connection is safe.
          if (retry && req.reusedSocket && e.code === 'ECONNRESET') resolve(attempt(false, tries));
          // Nothing was sent to a server that could not be connected to: another one may take it.
          else if (unreachable(e) && tries < this.servers.length - 1 && this.failOver(index, e)) resolve(attempt(true, tries + 1));
          else reject(e);
        });
        req.end(payload);
      });
    return attempt(true);
  }

  /** Sends a request and parses a 2xx JSON answer; anything else becomes a StatusError. */
  private async call<T>(method: string, path: string, body?: unknown, contentType?: string): Promise<T> {
    const r = await this.request(method, path, body, contentType);
    if (r.code < 200 || r.code > 299) throw responseError(r.code, r.body);
    return JSON.parse(r.body) as T;
  }

  get<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, name: string): Promise<T> {
    return this.call<T>('GET', resourcePath(res, namespace, name));
  }

  list<T extends KubeObject = KubeObject>(res: ResourceRef, namespace: string | undefined, opts?: ListOptions): Promise<KubeList<T>> {
    return this.call<KubeList<T>>('GET', withQuery(resourcePath(res, namespace), listQuery(opts)));
  }

  create<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOptions & { subresource?: string },
  ): Promise<T> {
    const sub = opts?.subresource;
    const path = sub ? resourcePath(res, namespace ?? obj.metadata?.namespace, obj.metadata?.name ?? '', sub) : resourcePath(res, namespace);
    return this.call<T>('POST', withQuery(path, writeQuery(opts)), obj);
  }

  update<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    obj: T,
    opts?: WriteOptions & { subresource?: 'status' | 'approval' },
  ): Promise<T> {
    const name = obj.metadata?.name ?? '';
    const ns = namespace ?? obj.metadata?.namespace;
    return this.call<T>('PUT', withQuery(resourcePath(res, ns, name, opts?.subresource), writeQuery(opts)), obj);
  }

  patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    opts?: WriteOptions & { subresource?: 'status' | 'approval' },
  ): Promise<T> {
    const path = withQuery(resourcePath(res, namespace, name, opts?.subresource), writeQuery(opts));
    return this.call<T>('PATCH', path, patch, patchContentType[type]);
  }

  async delete(res: ResourceRef, namespace: string | undefined, name: string, opts?: DeleteOptions): Promise<KubeObject | undefined> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts?.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts?.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts?.preconditions) body.preconditions = opts.preconditions;
    if (opts?.dryRun) body.dryRun = ['All'];
    const out = await this.call<KubeObject>('DELETE', resourcePath(res, namespace, name), body);
    // A Success Status means "gone", with no object to hand back.
    return isStatus(out) ? undefined : out;
  }

  watch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    namespace: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent<T>) => void,
    onClose?: (err?: Error) => void,
  ): WatchHandle {
    let closed = false;
    let ended = false;
    let response: IncomingMessage | undefined;
    const close = (err?: Error) => {
      if (closed) return;
      closed = true;
      this.watches.delete(stop);
      // A stream the server ended cleanly needs no teardown.
      if (!ended) {
        req.destroy();
        response?.destroy();
      }
      onClose?.(err);
    };
    const stop = () => close();
    this.watches.add(stop);
    const index = this.current;
    const server = this.servers[index]!;
    const req = https.request(
      {
        protocol: 'https:',
        hostname: server.hostname,
        port: server.port,
        path: withQuery(resourcePath(res, namespace), watchQuery(opts)),
        method: 'GET',
        agent: this.watchAgent,
        headers: { Accept: 'application/json', 'User-Agent': userAgent, ...this.authorization() },
      },
      (r) => {
        response = r;
        if (r.statusCode !== 200) {
          const chunks: Buffer[] = [];
          r.on('data', (c: Buffer) => chunks.push(c));
          r.on('end', () => {
            ended = true;
            close(responseError(r.statusCode ?? 0, Buffer.concat(chunks).toString('utf8')));
          });
          r.on('error', (e) => close(e));
          return;
        }
        const lines = new LineSplitter();
        const handle = (line: string) => {
          if (closed) return;
          let ev: WatchEvent<T>;
          try {
            ev = JSON.parse(line) as WatchEvent<T>;
          } catch {
            close(new Error(`watch ${res.resource}: malformed event: ${line.slice(0, 200)}`));
            return;
          }
          try {
            onEvent(ev);
          } catch (e) {
            // A failing consumer must not take the stream (or the process) down with it.
            log.error(`watch handler for ${res.resource} failed`, e);
          }
          // The server ends the stream after an ERROR; the caller learns why from onClose.
          if (ev.type === 'ERROR') {
            const obj = ev.object;
            close(isStatus(obj) ? StatusError.fromStatus(obj) : new Error(`watch ${res.resource}: ERROR event`));
          }
        };
        r.on('data', (c: Buffer) => {
          for (const l of lines.push(c)) handle(l);
        });
        r.on('end', () => {
          ended = true;
          for (const l of lines.end()) handle(l);
          close();
        });
        r.on('error', (e) => close(e));
        r.on('aborted', () => close(new Error(`watch ${res.resource}: connection aborted`)));
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      // The watcher starts again (a relist) on the next server.
      if (unreachable(e)) this.failOver(index, e);
      close(e);
    });
    req.end();
    return { stop };
  }
}
