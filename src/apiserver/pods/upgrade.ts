// The streaming pod subresources over an upgraded connection: the server's generic upgrade
// listener (http/upgrade.ts) authenticates, authorizes and routes, then hands exec and
// port-forward here (through the pods registry entry).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors } from '../../machinery/status.js';
import type { ResourceRoute } from '../http/route.js';
import type { PodNodeAccess } from './access.js';
import { EXEC_PROTOCOLS, serveExec } from './exec.js';
import { PORT_FORWARD_TUNNEL_PROTOCOL, servePortForwardTunnel } from './portforward.js';
import { PORT_FORWARD_WS_PROTOCOLS, parsePorts, servePortForwardChannels } from './portforward-ws.js';
import { prepareExec, preparePortForward } from './prepare.js';
import { acceptWebSocket, isWebSocketRequest, offeredProtocols } from './ws-server.js';

/** Streaming subresources we serve over an upgraded connection, with their WebSocket subprotocols. */
const serverProtocols: Record<string, string[]> = {
  exec: EXEC_PROTOCOLS,
  portforward: [PORT_FORWARD_TUNNEL_PROTOCOL, ...PORT_FORWARD_WS_PROTOCOLS],
};

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

/** exec over an upgraded connection, once the request passed upstream's checks. */
export async function upgradeExec(access: PodNodeAccess, req: IncomingMessage, socket: Duplex, head: Buffer, r: ResourceRoute): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubesvc');
  const target = await prepareExec(access, r, url.searchParams);
  const protocol = negotiate(req, 'exec');
  serveExec(await acceptWebSocket(req, socket, head, protocol), protocol, target);
}

/** port-forward over an upgraded connection: the SPDY tunnel kubectl uses, or plain WebSocket channels. */
export async function upgradePortForward(access: PodNodeAccess, req: IncomingMessage, socket: Duplex, head: Buffer, r: ResourceRoute): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://kubesvc');
  const target = await preparePortForward(access, r);
  const protocol = negotiate(req, 'portforward');
  if (protocol === PORT_FORWARD_TUNNEL_PROTOCOL) {
    servePortForwardTunnel(await acceptWebSocket(req, socket, head, protocol), target);
    return;
  }
  const ports = parsePorts(url.searchParams);
  servePortForwardChannels(await acceptWebSocket(req, socket, head, protocol), protocol, target, ports);
}
