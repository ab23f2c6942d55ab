// HTTPS requests to a test API server with the path sent byte for byte as given (no `..`
// resolution, no re-escaping), as `curl --path-as-is` sends it: `new URL()` would resolve
// `/services/..` to the Namespace before the server ever saw it.
import https from 'node:https';
import { credentials } from '../e2e/harness.js';

export interface RawResult {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The connection ended before the answer was complete. */
  aborted: boolean;
  json(): any;
}

export function rawRequest(
  target: { url: string; kubeconfig: string },
  method: string,
  path: string,
  body?: string | Buffer,
  opts: { contentType?: string; timeoutMs?: number } = {},
): Promise<RawResult> {
  const cred = credentials(target.kubeconfig);
  const u = new URL(target.url);
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = https.request(
      {
        host: u.hostname,
        port: u.port,
        method,
        path,
        ca: cred.ca,
        cert: cred.cert,
        key: cred.key,
        agent: false,
        headers:
          body !== undefined
            ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': String(Buffer.byteLength(body)) }
            : {},
      },
      (res) => {
        let data = '';
        let aborted = false;
        res.setEncoding('utf8');
        res.on('data', (d) => (data += d));
        res.on('aborted', () => (aborted = true));
        res.on('error', () => (aborted = true));
        res.on('close', () => {
          if (settled) return;
          settled = true;
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: data,
            aborted: aborted || !res.complete,
            json: () => JSON.parse(data),
          });
        });
      },
    );
    req.setTimeout(opts.timeoutMs ?? 15_000, () => req.destroy(new Error(`no answer to ${method} ${path} in time`)));
    req.on('error', (e) => {
      if (settled) return;
      settled = true;
      reject(e);
    });
    if (body !== undefined) req.write(body);
    req.end();
  });
}
