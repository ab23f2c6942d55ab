// httpGet probes: a GET to host:port/path, success on 2xx and 3xx (redirects are not followed:
// a 3xx already means the server is up), with upstream's User-Agent and failure texts.
import http from 'node:http';
import https from 'node:https';
import type { ProbeOutcome } from './types.js';

export interface HttpProbeTarget {
  scheme: 'HTTP' | 'HTTPS';
  host: string;
  port: number;
  path: string;
  headers: { name: string; value: string }[];
}

export function probeURL(t: HttpProbeTarget): string {
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const path = t.path.startsWith('/') ? t.path : `/${t.path}`;
  return `${t.scheme.toLowerCase()}://${host}:${t.port}${path}`;
}

export function httpProbe(t: HttpProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const url = probeURL(t);
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const h of t.headers) {
    // Upstream lets probe headers override the defaults (including Host).
    const existing = Object.keys(headers).find((k) => k.toLowerCase() === h.name.toLowerCase());
    if (existing) delete headers[existing];
    headers[h.name] = h.value;
  }
  return new Promise((resolve) => {
    const mod = t.scheme === 'HTTPS' ? https : http;
    let settled = false;
    const done = (o: ProbeOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(o);
    };
    const req = mod.get(url, { headers, agent: false, rejectUnauthorized: false } as https.RequestOptions, (res) => {
      const code = res.statusCode ?? 0;
      // Read (and drop) the body so the socket closes; upstream reads up to 10 KiB for the output.
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        if (body.length < 10240) body += c;
      });
      res.on('end', () => {
        if (code >= 200 && code < 400) done({ result: 'success', output: body });
        else done({ result: 'failure', output: `HTTP probe failed with statuscode: ${code}` });
      });
      res.on('error', () => done({ result: 'failure', output: `HTTP probe failed with statuscode: ${code}` }));
    });
    const timer = setTimeout(() => {
      req.destroy();
      done({ result: 'failure', output: `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)` });
    }, timeoutMs);
    req.on('error', (e: NodeJS.ErrnoException) => {
      done({ result: 'failure', output: `Get "${url}": ${dialError(t.host, t.port, e)}` });
    });
  });
}

/** Go's net error texts for the common cases, so messages read like upstream's. */
export function dialError(host: string, port: number, e: NodeJS.ErrnoException): string {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET':
      return `read tcp ${addr}: read: connection reset by peer`;
    case 'EADDRNOTAVAIL':
      return `dial tcp ${addr}: connect: cannot assign requested address`;
    default:
      return e.message;
  }
}
