// How long the API server waits for a client and how many connections and requests it takes at
// once. kube-apiserver's values where it has one; where it has none (it leaves connection counts to
// the OS), a cap of our own, because `kubesvc up` shares one process and one file-descriptor limit
// with the node agent, kube-proxy and DNS: connections must run out before descriptors do.
import type { Server } from 'node:https';
import type { Socket } from 'node:net';
import { defaultMaxInFlight, type MaxInFlightOptions } from './http/max-inflight.js';
import { ReleaseAfterDrop } from '../util/release-memory.js';

/** A fall of this many open connections, quiet for RELEASE_QUIET_MS, is worth one full GC. */
const RELEASE_AFTER_DROP = 1_000;
const RELEASE_QUIET_MS = 5_000;

export interface ServingLimits extends MaxInFlightOptions {
  /**
   * A connection that has not finished its TLS handshake by then is closed. Go's server derives
   * its handshake deadline from ReadHeaderTimeout (32 s in kube-apiserver); 10 s, Go's client-side
   * TLSHandshakeTimeout, is ample for any real client and frees a half-open socket's TLS state sooner.
   */
  tlsHandshakeTimeoutMs: number;
  /** kube-apiserver's ReadHeaderTimeout (32 s): the request line and headers must arrive by then. */
  readHeaderTimeoutMs: number;
  /** kube-apiserver's IdleTimeout (90 s, http.DefaultTransport's keep-alive): between requests. */
  idleTimeoutMs: number;
  /** Open connections in all; further ones are closed on accept. 0: no cap. */
  maxConnections: number;
  /** Open connections from one client address; further ones from it are closed on accept. 0: no cap. */
  maxConnectionsPerClient: number;
}

export const defaultServingLimits: ServingLimits = {
  ...defaultMaxInFlight,
  tlsHandshakeTimeoutMs: 10_000,
  readHeaderTimeoutMs: 32_000,
  idleTimeoutMs: 90_000,
  maxConnections: 16_384,
  maxConnectionsPerClient: 4_096,
};

/** Applies the timeouts to `server` (its connection counts are kept by ConnectionLimiter). Call before adding request handlers. */
export function applyTimeouts(server: Server, limits: ServingLimits): void {
  deferTLSUntilFirstByte(server, limits.tlsHandshakeTimeoutMs);
  closeConnectionsWithoutRequest(server, limits.readHeaderTimeoutMs);
  server.keepAliveTimeout = limits.idleTimeoutMs;
  server.headersTimeout = limits.readHeaderTimeoutMs;
  // Watches, logs -f and exec live as long as the client wants; upstream has no ReadTimeout either.
  server.requestTimeout = 0;
}

/**
 * Starts TLS on a connection only once its client has sent something (its ClientHello). Node's TLS
 * server allocates a TLS session (OpenSSL state and buffers, tens of KiB) the moment a connection
 * is accepted; a crowd of connections that never speak then costs the C heap, which glibc does not
 * give back after they leave. Until the first byte a connection is a bare socket, and one that
 * sends nothing within `ms` is closed. The bytes read are not lost: Node's TLSSocket feeds data
 * already buffered on the socket to the handshake.
 */
export function deferTLSUntilFirstByte(server: Server, ms: number): void {
  const tlsListeners = server.listeners('connection') as ((sock: Socket) => void)[];
  // tls.Server has exactly one: the one that wraps the socket in TLS. Anything else is not ours to move.
  if (tlsListeners.length !== 1) return;
  const startTLS = tlsListeners[0]!;
  server.removeListener('connection', startTLS);
  server.prependListener('connection', (sock: Socket) => {
    const t = setTimeout(() => sock.destroy(), ms);
    sock.on('error', () => sock.destroy());
    sock.once('close', () => clearTimeout(t));
    sock.once('readable', () => {
      clearTimeout(t);
      if (!sock.destroyed) startTLS.call(server, sock);
    });
  });
}

/**
 * Go's ReadHeaderTimeout also runs from the end of the handshake to the first request's headers;
 * Node's headersTimeout only starts at a request's first byte, so a client that handshakes and
 * then says nothing would stay forever. This closes such a connection when its first request (or
 * upgrade) has not arrived in time.
 */
export function closeConnectionsWithoutRequest(server: Server, ms: number): void {
  const deadlines = new WeakMap<Socket, NodeJS.Timeout>();
  server.on('secureConnection', (sock: Socket) => {
    const t = setTimeout(() => sock.destroy(), ms);
    // Only the socket keeps the timer alive; a closed socket needs no more checking.
    t.unref();
    deadlines.set(sock, t);
    sock.once('close', () => clearTimeout(t));
  });
  const arrived = (req: { socket: Socket }) => {
    const t = deadlines.get(req.socket);
    if (t === undefined) return;
    clearTimeout(t);
    deadlines.delete(req.socket);
  };
  // Registered before the request handlers run, so even a request answered at once clears it.
  server.prependListener('request', arrived);
  server.prependListener('upgrade', arrived);
}

/** How often Node looks for connections past the header timeout: a close comes at most this late. */
export function headerSweepInterval(readHeaderTimeoutMs: number): number {
  return Math.max(100, Math.min(5_000, Math.floor(readHeaderTimeoutMs / 4)));
}

/**
 * Counts connections per client address and in all, and closes a new one over either cap before
 * it costs a TLS handshake. Per client, so that one address holding thousands of idle sockets
 * leaves room for everyone else.
 */
export class ConnectionLimiter {
  private total = 0;
  private readonly perClient = new Map<string, number>();
  /** Connections closed on accept, for benchmarks and tests. */
  refused = 0;
  private readonly release = new ReleaseAfterDrop(RELEASE_AFTER_DROP, RELEASE_QUIET_MS);

  constructor(private readonly limits: Pick<ServingLimits, 'maxConnections' | 'maxConnectionsPerClient'>) {}

  get open(): number {
    return this.total;
  }

  /** Call on every accepted socket; returns false (and has closed it) when it is over a cap. */
  admit(sock: Socket): boolean {
    const client = sock.remoteAddress ?? '';
    const mine = this.perClient.get(client) ?? 0;
    const { maxConnections, maxConnectionsPerClient } = this.limits;
    if ((maxConnections > 0 && this.total >= maxConnections) || (maxConnectionsPerClient > 0 && mine >= maxConnectionsPerClient)) {
      this.refused++;
      sock.destroy();
      return false;
    }
    this.total++;
    this.release.update(this.total);
    this.perClient.set(client, mine + 1);
    sock.once('close', () => {
      this.total--;
      this.release.update(this.total);
      const n = (this.perClient.get(client) ?? 1) - 1;
      // Deleting at zero keeps the map as small as the set of clients connected now.
      if (n <= 0) this.perClient.delete(client);
      else this.perClient.set(client, n);
    });
    return true;
  }
}
