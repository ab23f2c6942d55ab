// The data plane's listening side: a plain and a TLS server whose connections go to the raw
// HTTP/1.1 fast path (http1.ts), which hands what it does not handle (HTTP/1.0, Upgrade, chunked
// request bodies, anything odd) to Node's HTTP server running HttpProxy, and HTTP/2 to Node's HTTP/2
// server: on the TLS port when ALPN chose h2, on the plain port when the client opens with the
// HTTP/2 preface (h2c with prior knowledge; an `Upgrade: h2c` request is served as HTTP/1.1, as
// RFC 9113 lets a server do). Both proxies route with
// the same Router, so a request is routed the same way whichever path carries it.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net';
import { createServer as createTLSServer, type Server as TLSServer, type TlsOptions, type TLSSocket } from 'node:tls';
import { Http1Proxy } from './http1.js';
import { HttpProxy, type ProxyOptions, type Router } from './proxy.js';

/** The start of the HTTP/2 connection preface, up to the blank line that ends it as an HTTP/1 head. */
const preface = Buffer.from('PRI * HTTP/2.0\r\n\r\n');

function startsWithPreface(head: Buffer): boolean {
  return head.length >= preface.length && head.subarray(0, preface.length).equals(preface);
}

export class FrontEnd {
  readonly slow: HttpProxy;
  readonly fast: Http1Proxy;
  private readonly fallbacks: Record<'http' | 'https', HttpServer>;
  /** HTTP/2 (clients that chose it by ALPN on the TLS port), through HttpProxy's compatibility path. */
  private readonly h2: Http2Server;
  /** HTTP/2 without TLS for clients that start with its preface ("prior knowledge" h2c, RFC 9113 §3.3). */
  private readonly h2c: Http2Server;

  constructor(router: Router, opts: ProxyOptions = {}) {
    this.slow = new HttpProxy(router, opts);
    const fallback = (scheme: 'http' | 'https') => {
      const s = createHttpServer((req, res) => this.slow.handle(req, res, scheme));
      s.keepAliveTimeout = opts.clientIdleMs ?? 75_000;
      s.on('upgrade', (req, socket, head) => this.slow.handleUpgrade(req, socket, head, scheme));
      return s;
    };
    this.fallbacks = { http: fallback('http'), https: fallback('https') };
    this.h2 = createHttp2Server((req, res) => this.slow.handle(req, res, 'https'));
    this.h2c = createHttp2Server((req, res) => this.slow.handle(req, res, 'http'));
    // A session that fails (a bad frame, a reset) is that client's alone.
    for (const s of [this.h2, this.h2c]) s.on('sessionError', () => undefined);
    this.fast = new Http1Proxy(router, {
      ...opts,
      fallback: (socket, scheme, head) => {
        // The HTTP/1.1 parser stops at the HTTP/2 preface's "PRI * HTTP/2.0" line: that connection
        // is h2c. Paused first: the bytes already read wait in the socket's buffer for the HTTP/2
        // session instead of flowing out to no listener.
        if (scheme === 'http' && startsWithPreface(head)) {
          socket.pause();
          this.h2c.emit('connection', socket);
        } else {
          this.fallbacks[scheme].emit('connection', socket);
        }
      },
    });
  }

  /** Swaps the router of both paths. */
  update(router: Router): void {
    this.slow.update(router);
    this.fast.update(router);
  }

  /** Closes upstream connections to endpoints not in `keep`. */
  forget(keep: ReadonlySet<string>): void {
    this.slow.forget(keep);
    this.fast.forget(keep);
  }

  close(): void {
    this.slow.close();
    this.fast.close();
    for (const s of Object.values(this.fallbacks)) s.closeIdleConnections();
  }

  /** A plain-HTTP listener (not yet listening). */
  http(): NetServer {
    // Half-open as Node's HTTP server is: a client may finish sending and still read its answer.
    return createNetServer({ allowHalfOpen: true }, (socket: Socket) => this.fast.accept(socket, 'http'));
  }

  /**
   * An HTTPS listener: TLS terminated here (certificates by SNI from `tls`), then HTTP/2 for
   * clients that ask for it by ALPN, HTTP/1.1 as above for the rest.
   */
  https(tls: TlsOptions): TLSServer {
    const server = createTLSServer({ allowHalfOpen: true, ALPNProtocols: ['h2', 'http/1.1'], ...tls }, (socket: TLSSocket) => {
      if (socket.alpnProtocol === 'h2') this.h2.emit('connection', socket);
      else this.fast.accept(socket, 'https');
    });
    // A handshake that fails (a scanner, a client refusing the certificate) is that client's problem only.
    server.on('tlsClientError', (_e, socket) => socket.destroy());
    return server;
  }
}
