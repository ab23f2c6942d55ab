// The userspace proxy's TCP transport in C, through the optional tcp-relay addon
// (native/tcp-relay): the addon listens, accepts, dials and relays; JavaScript hears of each
// connection three times (accepted, dialed, done) and decides as with Node's sockets
// (tcp-streams.ts, used where the addon is not built). Per connection this saves two socket
// objects with their streams and listeners, and per chunk a Buffer, an event and a write request.
import { join } from 'node:path';
import { getSystemErrorMap } from 'node:util';
import { optionalAddon } from '../../util/native-addon.js';
import { ProxiedConnection, type ConnectionEvents, type TcpTransport } from './tcp-connection.js';

/** Where node-gyp leaves the addon, relative to the package root. */
export const TCP_RELAY_ADDON = join('native', 'tcp-relay', 'build', 'Release', 'tcp_relay.node');

const EV_ACCEPTED = 0;
const EV_DIALED = 1;

type OnEvent = (kind: number, x: unknown, a: number, b: number, errno: number) => object | undefined;

interface Addon {
  listen(host: string, port: number, backlog: number, onEvent: OnEvent): unknown;
  close(listener: unknown): void;
  dial(connection: unknown, host: string, port: number, timeoutMs: number): void;
  peer(connection: unknown): string;
  bytes(connection: unknown): [number, number];
  destroy(connection: unknown): void;
  reset(connection: unknown): void;
}

const load = optionalAddon<Addon>(
  TCP_RELAY_ADDON,
  (a) => ['listen', 'close', 'dial', 'peer', 'bytes', 'destroy', 'reset'].every((f) => typeof a[f as keyof Addon] === 'function'),
  "the userspace proxy accepts, dials and copies each connection's bytes through Node's sockets",
);

/** Whether the addon was built and loads here. */
export function tcpRelayAvailable(): boolean {
  return load() !== null;
}

class NativeConnection extends ProxiedConnection {
  /** The byte counts once the connection is over. */
  final: [number, number] | undefined;

  constructor(
    private readonly addon: Addon,
    private readonly handle: unknown,
    private readonly events: ConnectionEvents,
  ) {
    super();
  }

  peer(): string {
    return this.addon.peer(this.handle);
  }

  dial(host: string, port: number, timeoutMs: number): void {
    this.addon.dial(this.handle, host, port, timeoutMs);
  }

  reset(): void {
    this.end(() => this.addon.reset(this.handle));
  }

  destroy(): void {
    this.end(() => this.addon.destroy(this.handle));
  }

  /** Ends it from JavaScript's side: the addon reports nothing after this, so the end is told here. */
  private end(how: () => void): void {
    if (this.final) return;
    this.final = this.addon.bytes(this.handle);
    how();
    this.events.ended(this);
  }

  toEndpoint(): number {
    return (this.final ?? this.addon.bytes(this.handle))[0];
  }

  toClient(): number {
    return (this.final ?? this.addon.bytes(this.handle))[1];
  }
}

/** A Node-style system error for a failed listen (`code` as Node's own, e.g. EADDRINUSE). */
function listenError(uvErr: number, ip: string, port: number): NodeJS.ErrnoException {
  const [code, text] = getSystemErrorMap().get(uvErr) ?? [`E${-uvErr}`, 'unknown error'];
  const e: NodeJS.ErrnoException = new Error(`listen ${code}: ${text} ${ip}:${port}`);
  e.code = code;
  e.errno = uvErr;
  e.syscall = 'listen';
  return e;
}

/** Listens in C; null where the addon is not available. */
export function listenInC(ip: string, port: number, backlog: number, events: ConnectionEvents): TcpTransport | null {
  const addon = load();
  if (!addon) return null;
  const onEvent: OnEvent = (kind, x, a, b, errno) => {
    const c = kind === EV_ACCEPTED ? new NativeConnection(addon, x, events) : (x as NativeConnection);
    try {
      if (kind === EV_ACCEPTED) events.accepted(c);
      else if (kind === EV_DIALED) events.dialed(c, errno === 0);
      else if (!c.final) {
        c.final = [a, b];
        events.ended(c);
      }
    } catch (e) {
      // The addon turns such a connection away without another event: end it here, so that it
      // is told as ended once like every other, then let the error be the uncaught one it is.
      c.destroy();
      throw e;
    }
    return kind === EV_ACCEPTED ? c : undefined;
  };
  const handle = addon.listen(ip, port, backlog, onEvent);
  if (typeof handle === 'number') throw listenError(handle, ip, port);
  let open = true;
  return {
    close: async () => {
      if (open) addon.close(handle);
      open = false;
    },
  };
}
