// The userspace proxy's TCP transport through Node's own sockets: a net.Server accepts (paused,
// so nothing the client sends first is lost), net.connect dials, and the bytes go both ways
// through streams. kubesvc uses it where the tcp-relay addon is not built (tcp-native.ts).
import { connect, createServer, type Socket } from 'node:net';
import { ProxiedConnection, type ConnectionEvents, type TcpTransport } from './tcp-connection.js';

class StreamConnection extends ProxiedConnection {
  /** Set while a dial is in flight: what ends it early when the client goes first. */
  private abortDial: (() => void) | undefined;

  constructor(
    private readonly client: Socket,
    private readonly events: ConnectionEvents,
  ) {
    super();
    client.on('error', () => undefined);
    client.once('close', () => {
      this.abortDial?.();
      events.ended(this);
    });
  }

  /** A v4-mapped address of a dual-stack socket is its IPv4 address, as the proxy's rules see it. */
  peer(): string {
    const a = this.client.remoteAddress ?? '';
    return a.startsWith('::ffff:') ? a.slice(7) : a;
  }

  dial(host: string, port: number, timeoutMs: number): void {
    const { client } = this;
    const backend = connect({ host, port, allowHalfOpen: true, noDelay: true });
    // An error after the dial was given up (the client left first) must not be an uncaught one.
    backend.on('error', () => undefined);
    backend.pause();
    const settle = () => {
      this.abortDial = undefined;
      clearTimeout(timer);
      backend.off('error', fail);
      backend.off('connect', connected);
    };
    const fail = () => {
      settle();
      backend.destroy();
      this.events.dialed(this, false);
    };
    const connected = () => {
      settle();
      relayWithStreams(client, backend);
      this.events.dialed(this, true);
    };
    this.abortDial = () => {
      settle();
      backend.destroy();
    };
    const timer = setTimeout(fail, timeoutMs);
    backend.once('error', fail);
    backend.once('connect', connected);
  }

  reset(): void {
    this.client.resetAndDestroy();
  }

  destroy(): void {
    this.client.destroy();
  }

  toEndpoint(): number {
    return this.client.bytesRead;
  }

  toClient(): number {
    return this.client.bytesWritten;
  }
}

export function listenWithStreams(ip: string, port: number, backlog: number, events: ConnectionEvents): Promise<TcpTransport> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => {
    client.setNoDelay(true);
    events.accepted(new StreamConnection(client, events));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: ip, port, exclusive: true, backlog }, () => {
      server.off('error', reject);
      server.on('error', () => undefined);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            if (!server.listening) return done();
            // server.close waits for every connection to end; the listening socket itself is gone at once.
            server.close(() => done());
            server.getConnections((_, n) => n > 0 && done());
          }),
      });
    });
  });
}

/**
 * Copies both ways through Node's streams; an end is passed on as a half-close, an error or reset
 * tears both down. Both sockets must be paused with nothing read yet.
 */
export function relayWithStreams(client: Socket, backend: Socket): void {
  client.on('data', (chunk: Buffer) => {
    if (!backend.write(chunk)) client.pause();
  });
  backend.on('data', (chunk: Buffer) => {
    if (!client.write(chunk)) backend.pause();
  });
  backend.on('drain', () => client.resume());
  client.on('drain', () => backend.resume());
  client.once('end', () => backend.end());
  backend.once('end', () => client.end());
  backend.on('error', () => client.destroy());
  client.on('error', () => backend.destroy());
  backend.once('close', (hadError: boolean) => {
    if (hadError || !client.writableEnded) client.destroy();
  });
  client.once('close', (hadError: boolean) => {
    // Let bytes the client sent before closing reach the endpoint, then let go.
    if (hadError || backend.writableFinished) backend.destroy();
    else backend.end(() => backend.destroy());
  });
  client.resume();
  backend.resume();
}
