// Graceful shutdown of the API server's HTTP side, as kube-apiserver's: once shutdown begins the
// listener closes (no new connections), /readyz fails, requests already received run to
// completion (bounded), long-running ones (watches, logs, exec, port-forward) are ended cleanly
// — a watch gets the end of its chunked stream, so client-go and kubectl re-watch elsewhere
// instead of seeing a reset — and only then is every connection closed. An acknowledged write is
// never followed by a reset of its connection.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { Server as NetServer, type Socket } from 'node:net';
import { isLongRunning } from './long-running.js';

/** How long requests in flight may take to finish once shutdown begins. */
export const drainTimeoutMs = 10_000;
/**
 * A connection accepted but with no request yet gets this long to send one, as Go's
 * http.Server.Shutdown treats a new connection as idle only after 5 s: its request is on the way.
 */
export const newConnectionGraceMs = 5_000;

interface ConnState {
  /** Requests received and not yet answered. */
  active: number;
  served: number;
}

export class GracefulShutdown {
  private readonly conns = new Map<Socket, ConnState>();
  private readonly longRunning = new Set<ServerResponse>();
  /** Connections taken over by a WebSocket upgrade (exec, attach, port-forward): long-running too. */
  private readonly upgraded = new Set<Socket>();
  private draining = false;

  /** Tracks `server`'s connections and requests; call before it listens. */
  constructor(private readonly server: Server) {
    server.on('secureConnection', (s: Socket) => {
      this.conns.set(s, { active: 0, served: 0 });
      s.once('close', () => this.conns.delete(s));
    });
    // Ahead of the server's own handler, which may answer synchronously.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => this.onRequest(req, res));
    server.prependListener('upgrade', (req: IncomingMessage, sock: Socket) => {
      this.conns.delete(sock);
      this.upgraded.add(sock);
      sock.once('close', () => this.upgraded.delete(sock));
      if (this.draining) sock.end();
    });
  }

  get shuttingDown(): boolean {
    return this.draining;
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const sock = req.socket;
    const st = this.conns.get(sock) ?? { active: 0, served: 0 };
    this.conns.set(sock, st);
    st.active++;
    // Once shutdown has begun, answer and close: the client opens its next connection elsewhere.
    if (this.draining) res.shouldKeepAlive = false;
    const long = isLongRunning(req);
    if (long) this.longRunning.add(res);
    let done = false;
    const finished = () => {
      if (done) return;
      done = true;
      st.active--;
      st.served++;
      this.longRunning.delete(res);
      if (this.draining && st.active === 0) sock.end();
    };
    res.once('finish', finished);
    res.once('close', finished);
    if (long && this.draining) this.endLongRunning(res);
  }

  private endLongRunning(res: ServerResponse): void {
    // With headers out, ending the response ends the chunked stream cleanly; the handler sees
    // its response closed and stops its watch. Before that there is nothing clean to send.
    if (res.headersSent) res.end();
    else res.destroy();
  }

  /**
   * Stops accepting, lets what is in flight finish within `timeoutMs`, then closes every
   * connection. Resolves once the listener and all connections are closed.
   */
  async shutdown(timeoutMs = drainTimeoutMs, graceMs = newConnectionGraceMs): Promise<{ closed: Promise<void> }> {
    this.draining = true;
    // net.Server's close, not http's: http's also drops connections whose request is still on its
    // way (accepted, TLS done, no bytes yet), which the client would see as a reset.
    const closed = new Promise<void>((r) => NetServer.prototype.close.call(this.server, () => r()));
    const started = Date.now();
    for (const [sock, st] of this.conns) {
      if (st.active > 0) continue;
      // Idle between keep-alive requests: close now, as Go's Shutdown does.
      if (st.served > 0) sock.end();
    }
    for (const res of [...this.longRunning]) this.endLongRunning(res);
    for (const sock of this.upgraded) sock.end();
    // Bounded: polls every 10 ms for at most timeoutMs.
    for (let i = 0; i < Math.ceil(timeoutMs / 10); i++) {
      const now = Date.now() - started;
      let busy = false;
      for (const [sock, st] of this.conns) {
        if (st.active > 0) busy = true;
        else if (st.served === 0 && now < graceMs) busy = true;
        else sock.end();
      }
      if (!busy && this.longRunning.size === 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    return { closed };
  }

  /** Connections still open (after shutdown: ones whose requests overran the bound). */
  get open(): number {
    return this.conns.size;
  }
}

