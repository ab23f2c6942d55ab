// Passing bytes on between two parties, as the API server's proxies do: a response body relayed
// to a client, and two upgraded connections joined byte for byte. Either side going away ends
// the other, so neither a departed client nor a dead backend leaves a socket open behind it.
import type { ServerResponse } from 'node:http';
import type { Duplex, Readable } from 'node:stream';

/** Pipes `body` into `res`; resolves once it ended, failed (res destroyed) or the client left (body destroyed). */
export function relayBody(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    body.pipe(res);
    body.once('end', () => resolve());
    body.once('error', () => {
      res.destroy();
      resolve();
    });
    res.once('close', () => {
      body.destroy();
      resolve();
    });
  });
}

/** Joins two connections both ways; when one closes or fails, both are destroyed. */
export function joinConnections(a: Duplex, b: Duplex): void {
  a.pipe(b);
  b.pipe(a);
  const close = () => {
    a.destroy();
    b.destroy();
  };
  a.once('close', close);
  b.once('close', close);
  a.on('error', close);
  b.on('error', close);
}
