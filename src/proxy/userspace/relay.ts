// Copying a proxied connection's bytes both ways once the endpoint is connected: through Node's
// streams at first, then, for a connection that keeps talking, in C through the optional
// tcp-relay addon (native/tcp-relay) where it is built. The addon takes both sockets over (it
// duplicates their descriptors and Node lets go of its own), so a chunk costs a recv and a send,
// not a Buffer, a 'data' event and a write request. Taking a socket over costs a dozen system
// calls, more than a connection that carries one request and closes spends in streams
// (bench/README.md): the handover waits for the client's second chunk.
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { optionalAddon } from '../../util/native-addon.js';

/** Where node-gyp leaves the addon, relative to the package root. */
export const TCP_RELAY_ADDON = join('native', 'tcp-relay', 'build', 'Release', 'tcp_relay.node');

interface Addon {
  relay(clientFd: number, endpointFd: number, onDone: (toEndpoint: number, toClient: number, errno: number) => void, resource: object): unknown;
  bytes(handle: unknown): [number, number];
  destroy(handle: unknown): void;
}

const load = optionalAddon<Addon>(
  TCP_RELAY_ADDON,
  (a) => typeof a.relay === 'function' && typeof a.bytes === 'function' && typeof a.destroy === 'function',
  "the userspace proxy copies each connection's bytes through Node's streams",
);

/** Whether the addon was built and loads here. */
export function tcpRelayAvailable(): boolean {
  return load() !== null;
}

/** A connection being relayed: its byte counts so far, and a way to end it. */
export interface Relayed {
  toEndpoint(): number;
  toClient(): number;
  destroy(): void;
}

/** What the proxy passes its sockets as: Node's handle exposes its descriptor on Linux. */
function fdOf(s: Socket): number | undefined {
  const fd = (s as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : undefined;
}

/**
 * Both sockets must be connected and neither read from yet (the client accepted paused, the
 * endpoint paused before its connect completed), so no byte sits in a Node buffer. `done` is
 * called once, when both sides have ended or either failed (not after destroy()). Undefined when
 * the addon is not available or a socket has no descriptor: the caller copies with streams.
 */
export function relayInC(client: Socket, endpoint: Socket, done: () => void): Relayed | undefined {
  const addon = load();
  if (!addon || client.readableLength > 0 || endpoint.readableLength > 0) return undefined;
  const cfd = fdOf(client);
  const efd = fdOf(endpoint);
  if (cfd === undefined || efd === undefined) return undefined;
  let final: [number, number] | undefined;
  let handle: unknown;
  try {
    handle = addon.relay(cfd, efd, (toEndpoint, toClient) => {
      final = [toEndpoint, toClient];
      done();
    }, {});
  } catch {
    return undefined;
  }
  // The addon holds duplicates: closing Node's descriptors leaves the connections open.
  client.destroy();
  endpoint.destroy();
  return {
    toEndpoint: () => (final ?? addon.bytes(handle))[0],
    toClient: () => (final ?? addon.bytes(handle))[1],
    destroy: () => {
      if (final) return;
      final = addon.bytes(handle);
      addon.destroy(handle);
      done();
    },
  };
}

/** The client chunk after which a connection is handed to C. */
const handOverAtChunk = 2;

/**
 * Relays a connected pair: streams first, C from the client's second chunk on where the addon is
 * built and `inC`. `handedOver` is told when C took over; `ended` once, when the connection is
 * over (the client socket closed, or the relay in C finished).
 */
export function relayConnection(client: Socket, backend: Socket, o: { inC: boolean; handedOver(r: Relayed): void; ended(): void }): void {
  const counting = o.inC && tcpRelayAvailable();
  let chunks = 0;
  const hooks: StreamHooks = {
    clientClosed: o.ended,
    ...(counting
      ? {
          clientChunk: () => {
            // After this turn of the event loop: the chunk just written may still be in Node's
            // write queue, and nothing more is read from the kernel before the poll phase.
            if (++chunks === handOverAtChunk) setImmediate(tryHandOver);
          },
        }
      : {}),
  };
  let detach = relayWithStreams(client, backend, hooks);
  const tryHandOver = () => {
    if (client.destroyed || backend.destroyed) return;
    // An end already seen or passed on, or bytes still in Node's buffers: stay with streams for
    // now and look again at the next chunk.
    const busy = client.readableLength + backend.readableLength + client.writableLength + backend.writableLength > 0;
    if (busy || client.readableEnded || backend.readableEnded || client.writableEnded || backend.writableEnded) {
      chunks = handOverAtChunk - 1;
      return;
    }
    const before = { toEndpoint: client.bytesRead, toClient: client.bytesWritten };
    detach();
    const relayed = relayInC(client, backend, () => o.ended());
    if (!relayed) {
      // The addon refused the sockets: streams it stays.
      detach = relayWithStreams(client, backend, { clientClosed: o.ended });
      return;
    }
    o.handedOver({
      toEndpoint: () => before.toEndpoint + relayed.toEndpoint(),
      toClient: () => before.toClient + relayed.toClient(),
      destroy: () => relayed.destroy(),
    });
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- EventEmitter's own listener type
type Listener = (...args: any[]) => void;

interface StreamHooks {
  /** After each chunk from the client went on to the endpoint. */
  clientChunk?(): void;
  /** When the client socket has closed (not after a handover). */
  clientClosed?(): void;
}

/**
 * Copies both ways through Node's streams; an end is passed on as a half-close, an error or reset
 * tears both down. Returns what takes its listeners off again (for a handover to C): one listener
 * per event and socket, as few as a connection that carries one request can get by with.
 */
export function relayWithStreams(client: Socket, backend: Socket, hooks: StreamHooks = {}): () => void {
  const { clientChunk, clientClosed } = hooks;
  const onClientData = (chunk: Buffer) => {
    if (!backend.write(chunk)) client.pause();
    clientChunk?.();
  };
  const onBackendData = (chunk: Buffer) => {
    if (!client.write(chunk)) backend.pause();
  };
  const resumeClient = () => client.resume();
  const resumeBackend = () => backend.resume();
  const onClientEnd = () => backend.end();
  const onBackendEnd = () => client.end();
  const onBackendError = () => client.destroy();
  const onClientError = () => backend.destroy();
  const onBackendClose = (hadError: boolean) => {
    if (hadError || !client.writableEnded) client.destroy();
  };
  const onClientClose = (hadError: boolean) => {
    // Let bytes the client sent before closing reach the endpoint, then let go.
    if (hadError || backend.writableFinished) backend.destroy();
    else backend.end(() => backend.destroy());
    clientClosed?.();
  };
  // [socket, event, listener, once]; a full writer pauses its source, its drain resumes it.
  const listeners: [Socket, string, Listener, boolean][] = [
    [client, 'data', onClientData, false],
    [backend, 'data', onBackendData, false],
    [backend, 'drain', resumeClient, false],
    [client, 'drain', resumeBackend, false],
    [client, 'end', onClientEnd, true],
    [backend, 'end', onBackendEnd, true],
    [backend, 'error', onBackendError, false],
    [client, 'error', onClientError, false],
    [backend, 'close', onBackendClose, true],
    [client, 'close', onClientClose, true],
  ];
  for (const [socket, event, fn, once] of listeners) {
    if (once) socket.once(event, fn);
    else socket.on(event, fn);
  }
  // The client was accepted paused (pauseOnConnect) and the endpoint connected paused: a 'data'
  // listener alone does not start them.
  client.resume();
  backend.resume();
  return () => {
    for (const [socket, event, fn] of listeners) socket.off(event, fn);
    client.pause();
    backend.pause();
  };
}
