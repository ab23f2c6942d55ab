// Which streaming subprotocol a request gets, decided before the upgrade so that a client that
// cannot be served learns why as a plain HTTP Status (kubectl shows it whether it tried WebSocket
// or fell back to SPDY). The API server checks it before proxying to the kubelet, and the kubelet
// again before it serves the stream, as upstream's two hops each do.
import type { IncomingMessage } from 'node:http';
import { errors } from '../machinery/status.js';
import { EXEC_PROTOCOLS } from './exec.js';
import { PORT_FORWARD_TUNNEL_PROTOCOL } from './portforward.js';
import { PORT_FORWARD_WS_PROTOCOLS } from './portforward-ws.js';
import { isWebSocketRequest, offeredProtocols } from './ws-server.js';

/** Streaming kinds served over an upgraded connection, with their WebSocket subprotocols. */
const serverProtocols = {
  exec: EXEC_PROTOCOLS,
  attach: EXEC_PROTOCOLS,
  portforward: [PORT_FORWARD_TUNNEL_PROTOCOL, ...PORT_FORWARD_WS_PROTOCOLS],
} as const;

export type StreamKind = keyof typeof serverProtocols;

/**
 * The subprotocol to answer with. Clients that do not speak WebSocket (SPDY-only kubectl, before
 * 1.30's WebSocket executor) learn in upstream's negotiation wording that only WebSocket is served.
 */
export function negotiate(req: IncomingMessage, kind: StreamKind): string {
  const accepts: readonly string[] = serverProtocols[kind];
  if (!isWebSocketRequest(req)) {
    const upgrade = req.headers.upgrade;
    const h = req.headers['x-stream-protocol-version'];
    const client = Array.isArray(h) ? h : h ? [h] : [];
    if (!upgrade) throw errors.badRequest('Upgrade request required');
    throw errors.badRequest(
      `unable to upgrade: unable to negotiate protocol: client supports [${client.join(' ')}] over ${upgrade}, server accepts [${accepts.join(' ')}] over websocket`,
    );
  }
  const offered = offeredProtocols(req);
  const match = offered.find((p) => accepts.includes(p));
  if (!match) throw errors.badRequest(`requested protocol(s) are not supported: [${offered.join(' ')}]; supports [${accepts.join(' ')}]`);
  return match;
}
