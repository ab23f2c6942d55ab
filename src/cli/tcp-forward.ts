// Makes the API server reachable from nodes and pods in netns mode. The API server listens on
// 127.0.0.1 only; the `kubernetes` Service's endpoint is the host's address on the bridge, so a
// plain TCP relay there carries the (end-to-end) TLS on to the server unchanged.
import net from 'node:net';

export interface TcpForward {
  port: number;
  close(): Promise<void>;
}

export async function forwardTCP(listenHost: string, listenPort: number, target: { host: string; port: number }): Promise<TcpForward> {
  const sockets = new Set<net.Socket>();
  // Half-open both ways: a client that shuts down its sending side still gets the rest of the answer.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const upstream = net.connect({ port: target.port, host: target.host, allowHalfOpen: true });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      // Either side failing ends both; the other side sees a reset, as with a dropped connection.
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, listenHost, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
