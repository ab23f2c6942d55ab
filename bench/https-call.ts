// One keep-alive HTTPS connection pool to a bench cluster's API server, with the admin certificate.
import https from 'node:https';
import { credentials } from '../test/e2e/harness.js';

export interface Conn {
  agent: https.Agent;
  base: URL;
  cred: { ca: string; cert: string; key: string };
}

export function connect(url: string, kubeconfig: string, maxSockets: number): Conn {
  return { agent: new https.Agent({ keepAlive: true, maxSockets }), base: new URL(url), cred: credentials(kubeconfig) };
}

/** A request; the body is JSON unless `headers` says otherwise. */
export function call(conn: Conn, method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, conn.base),
      {
        method,
        agent: conn.agent,
        ca: conn.cred.ca,
        cert: conn.cred.cert,
        key: conn.cred.key,
        headers: { ...(body ? { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) } : {}), ...headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error(`${method} ${path} timed out`)));
    if (body) req.write(body);
    req.end();
  });
}
