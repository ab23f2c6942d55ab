// A small plain-HTTP text resource read within bounds: the kubelet API relaying its kube-proxy's
// metrics and the API server reading ingress controllers' and kubelets' metrics all need "the
// body, unless it is too slow, too big or not a 200", and none may hang or grow without end.
import http, { type IncomingMessage } from 'node:http';

/** The whole body as UTF-8; rejects once it passes `maxBytes`. */
export async function readText(res: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if ((size += c.length) > maxBytes) {
      res.destroy();
      throw new Error(`more than ${maxBytes} bytes`);
    }
    chunks.push(c);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** GET `url` (plain HTTP): its body when it answers 200 within `timeoutMs`, else a rejection saying why. */
export function getText(url: string, o: { timeoutMs: number; maxBytes: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: o.timeoutMs, headers: { accept: 'text/plain' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`${url} answered ${res.statusCode}`));
      }
      readText(res, o.maxBytes).then(resolve, (e: Error) => reject(new Error(`${url}: ${e.message}`)));
    });
    req.on('timeout', () => req.destroy(new Error(`${url} did not answer within ${o.timeoutMs} ms`)));
    req.on('error', reject);
  });
}
