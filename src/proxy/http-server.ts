// A small HTTP listener helper for the proxy's own endpoints (metrics, healthz, service health
// checks): listens, reports the bound port (0 = ephemeral, for tests), closes idle keep-alive
// connections on close so stop() does not hang on a scraper's open connection.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface HttpListener {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

export async function listenHttp(
  host: string,
  port: number,
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<HttpListener> {
  const server: Server = createServer(handler);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const addr = server.address();
  const bound = typeof addr === 'object' && addr ? addr.port : port;
  return {
    host,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
