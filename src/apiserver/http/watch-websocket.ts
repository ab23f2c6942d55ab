// Watches over WebSocket, as upstream's API server serves them (a watch request that asks to
// upgrade gets one JSON WatchEvent per text message). Browsers need this: they allow six HTTP/1.1
// connections per server, and a page watching more kinds than that over plain HTTP waits forever
// for the seventh, while WebSockets do not count against that limit. A browser cannot set an
// Authorization header on a WebSocket, so its token comes as the
// `base64url.bearer.authorization.k8s.io.<token>` subprotocol (authentication.ts), next to one
// other subprotocol of the client's choosing, which is echoed back as the negotiated one.
import { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { acceptWebSocket, offeredProtocols } from '../../streaming/ws-server.js';

/**
 * The part of a ServerResponse a watch writes to, over a WebSocket: each event line becomes one
 * text message; 'close' tells the watch its client left.
 */
class WebSocketWatchSink extends EventEmitter {
  headersSent = false;
  writableEnded = false;
  readonly socket = undefined;

  constructor(private readonly ws: WebSocket) {
    super();
    ws.on('close', () => this.emit('close'));
    ws.on('error', () => this.emit('close'));
    // The client sends nothing a watch reads; whatever it sends is dropped.
    ws.on('message', () => undefined);
  }

  get writableLength(): number {
    return this.ws.bufferedAmount;
  }

  writeHead(): this {
    this.headersSent = true;
    return this;
  }

  flushHeaders(): void {}

  write(chunk: string): boolean {
    if (this.ws.readyState !== this.ws.OPEN) return false;
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      if (nl > from) this.ws.send(chunk.slice(from, nl));
      from = nl + 1;
    }
    if (from < chunk.length) this.ws.send(chunk.slice(from));
    return true;
  }

  end(): this {
    if (this.writableEnded) return this;
    this.writableEnded = true;
    this.ws.close(1000);
    return this;
  }
}

/**
 * Completes the WebSocket handshake for a watch and hands `serve` a response to write the watch
 * to. Failures after the handshake (a bad parameter) arrive as one message with the Status, then
 * the close, since the HTTP answer is gone.
 */
export async function serveWatchOverWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  serve: (gone: EventEmitter, res: ServerResponse) => Promise<void>,
  statusOf: (e: unknown) => { toStatus(): unknown },
): Promise<void> {
  // The bearer token's subprotocol is gone by now (authentication removed it); echo the first other.
  const protocol = offeredProtocols(req)[0] ?? '';
  const ws = await acceptWebSocket(req, socket, head, protocol);
  const sink = new WebSocketWatchSink(ws);
  try {
    await serve(sink, sink as unknown as ServerResponse);
  } catch (e) {
    if (ws.readyState === ws.OPEN) {
      ws.send(JSON.stringify({ type: 'ERROR', object: statusOf(e).toStatus() }));
      ws.close(1000);
    }
  }
}
