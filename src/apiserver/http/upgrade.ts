// HTTP Upgrade requests (exec and port-forward over WebSocket, and watches over WebSocket). Node hands them to the server's
// 'upgrade' listeners, not to its 'request' handler: this listener authenticates, authorizes and
// routes them as the request handler would, then gives them to the registry entry whose
// subresource serves upgrades. Failures before the upgrade are answered as plain HTTP Statuses.
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { errors, StatusError } from '../../machinery/status.js';
import { authorize, type Authentication } from '../auth/index.js';
import type { Authorizer } from '../auth/authorizer.js';
import type { Registry } from '../registry/registry.js';
import type { StorageMap } from '../storage-map.js';
import { requestPath, route } from './route.js';
import { toStatusError } from './respond.js';
import { ResourceHandler } from './resource-handler.js';
import { isWebSocketRequest } from '../../streaming/ws-server.js';

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

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

async function handle(registry: Registry, storage: StorageMap, handler: ResourceHandler, authentication: Authentication, authorizer: Authorizer, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  // A bearer token may come as a WebSocket subprotocol here; authentication removes it from the offer.
  const user = authentication.authenticate(req);
  const acting = authorize(req, user, authorizer);
  // The path as sent, as the request handler routes it (URL's pathname resolves `..`).
  const path = requestPath(req.url ?? '/');
  const r = route(registry, path);
  // A watch may be asked for over WebSocket, as browsers do (watch-websocket.ts).
  if (r.type === 'resource' && isWebSocketRequest(req) && (req.method ?? 'GET') === 'GET') {
    const url = new URL(req.url ?? '/', 'https://kubesvc');
    if (ResourceHandler.isWatchUpgrade(r, url)) return handler.watchOverWebSocket(req, socket, head, r, url, acting);
  }
  const upgrade = r.type === 'resource' && r.name && r.subresource ? storage.get(r.info)?.subresources[r.subresource]?.upgrade : undefined;
  if (r.type !== 'resource' || !upgrade) throw errors.badRequest(`the server does not allow upgrading the connection for ${path}`);
  await upgrade(req, socket, head, r);
}

/** The 'upgrade' listener for the API server's HTTPS server. */
export function upgradeHandler(registry: Registry, storage: StorageMap, handler: ResourceHandler, authentication: Authentication, authorizer: Authorizer): UpgradeHandler {
  return (req, socket, head) => {
    socket.on('error', () => {
      /* a client that vanishes mid-handshake is not the server's problem */
    });
    handle(registry, storage, handler, authentication, authorizer, req, socket, head).catch((e: unknown) => writeStatus(socket, toStatusError(e)));
  };
}
