// One WebSocket server (the `ws` package, no HTTP server of its own) for the streaming
// subresources. The subprotocol is chosen per request before the handshake completes.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

const chosen = new WeakMap<IncomingMessage, string>();

const wss = new WebSocketServer({
  noServer: true,
  clientTracking: false,
  // kubectl does not offer compression; refusing it keeps framing predictable.
  perMessageDeflate: false,
  maxPayload: 64 << 20,
});

// We negotiate the subprotocol ourselves and add it to the 101 response: `ws` insists that
// offered subprotocols be RFC 7230 tokens, and kubectl's `SPDY/3.1+portforward.k8s.io` is not.
wss.on('headers', (headers, req) => {
  const p = chosen.get(req);
  if (p) headers.push(`Sec-WebSocket-Protocol: ${p}`);
});

/** The subprotocols a client offers, in its order of preference. */
export function offeredProtocols(req: IncomingMessage): string[] {
  const h = req.headers['sec-websocket-protocol'];
  const text = Array.isArray(h) ? h.join(',') : (h ?? '');
  return text
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
}

export function isWebSocketRequest(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket' && /\bupgrade\b/i.test(req.headers.connection ?? '');
}

/** Completes the handshake with `protocol` as the negotiated subprotocol. */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  chosen.set(req, protocol);
  delete req.headers['sec-websocket-protocol'];
  return new Promise((resolve) => wss.handleUpgrade(req, socket, head, (ws) => resolve(ws)));
}

export function toBuffer(d: RawData): Buffer {
  if (Buffer.isBuffer(d)) return d;
  if (Array.isArray(d)) return Buffer.concat(d);
  return Buffer.from(d);
}
