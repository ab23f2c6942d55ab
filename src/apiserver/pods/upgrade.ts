// HTTP Upgrade requests for the streaming pod subresources. Node hands upgrade requests to the
// server's 'upgrade' listeners, not to its 'request' handler, so the API server forwards them
// here. Authentication and authorization are the request handler's.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type https from 'node:https';
import type { Duplex } from 'node:stream';
import { errors, StatusError } from '../../machinery/status.js';
import { requestPath, route, type ResourceRoute } from '../http/route.js';
import { toStatusError } from '../http/respond.js';
import { authenticate, authorize } from '../auth/index.js';
import type { ApiServer } from '../server.js';
import { EXEC_PROTOCOLS, serveExec } from './exec.js';
import { PORT_FORWARD_TUNNEL_PROTOCOL, servePortForwardTunnel } from './portforward.js';
import { PORT_FORWARD_WS_PROTOCOLS, parsePorts, servePortForwardChannels } from './portforward-ws.js';
import { prepareExec, preparePortForward } from './prepare.js';
import { acceptWebSocket, isWebSocketRequest, offeredProtocols } from './ws-server.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/** Streaming subresources we serve over an upgraded connection, with their WebSocket subprotocols. */
const serverProtocols: Record<string, string[]> = {
  exec: EXEC_PROTOCOLS,
  portforward: [PORT_FORWARD_TUNNEL_PROTOCOL, ...PORT_FORWARD_WS_PROTOCOLS],
};

export function streamingRoute(path: string): ResourceRoute | undefined {
  const r = route(path);
  if (r.type !== 'resource' || r.info.group !== '' || r.info.resource !== 'pods' || !r.name) return undefined;
  if (!r.subresource || !(r.subresource in serverProtocols)) return undefined;
  return r;
}

/**
 * The subprotocol to answer with. Clients that do not speak WebSocket (SPDY-only kubectl, before
 * 1.30's WebSocket executor) learn in upstream's negotiation wording that only WebSocket is served.
 */
export function negotiate(req: IncomingMessage, subresource: string): string {
  const accepts = serverProtocols[subresource]!;
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

function writeStatus(socket: Duplex, e: StatusError): void {
  if (!socket.writable) return void socket.destroy();
  const body = JSON.stringify(e.toStatus());
  socket.end(
    `HTTP/1.1 ${e.code} ${STATUS_CODES[e.code] ?? ''}\r\n` +
      'Content-Type: application/json\r\n' +
      'Cache-Control: no-cache, private\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

async function handle(api: ApiServer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubesvc');
  const user = authenticate(req);
  if (!user) throw errors.unauthorized();
  authorize(req, user);
  // The path as sent, as the request handler routes it (URL's pathname resolves `..`).
  const path = requestPath(req.url ?? '/');
  const r = streamingRoute(path);
  if (!r) throw errors.badRequest(`the server does not allow upgrading the connection for ${path}`);
  if (r.subresource === 'exec') {
    const target = await prepareExec(api, r, url.searchParams);
    const protocol = negotiate(req, 'exec');
    serveExec(await acceptWebSocket(req, socket, head, protocol), protocol, target);
    return;
  }
  const target = await preparePortForward(api, r);
  const protocol = negotiate(req, 'portforward');
  if (protocol === PORT_FORWARD_TUNNEL_PROTOCOL) {
    servePortForwardTunnel(await acceptWebSocket(req, socket, head, protocol), target);
    return;
  }
  const ports = parsePorts(url.searchParams);
  servePortForwardChannels(await acceptWebSocket(req, socket, head, protocol), protocol, target, ports);
}

/** The 'upgrade' listener for the API server's HTTPS server. */
export function podUpgradeHandler(api: ApiServer): UpgradeHandler {
  return (req, socket, head) => {
    socket.on('error', () => {
      /* a client that vanishes mid-handshake is not the server's problem */
    });
    handle(api, req, socket, head).catch((e: unknown) => writeStatus(socket, toStatusError(e)));
  };
}

/** Registers podUpgradeHandler on the server the ApiServer listens with. */
export function attachUpgrade(api: ApiServer, server: https.Server): void {
  server.on('upgrade', podUpgradeHandler(api));
}
