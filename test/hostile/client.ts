// A raw HTTPS client for hostile requests: the path is sent byte for byte (no URL normalisation,
// so `..`, `%2E%2E` and `%zz` reach the server as a careful attacker's curl --path-as-is sends
// them), every request has a deadline, and a reset connection is a result, not a throw.
import https from 'node:https';
import { credentials, type Cluster } from '../e2e/harness.js';

export interface RawResult {
  /** HTTP status, or 0 when the connection failed (then `error` says how). */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  error?: string;
  ms: number;
}

export interface RawRequest {
  method: string;
  /** Sent as is: not parsed, not normalised. */
  path: string;
  body?: string | Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** Abort after this long (default 10 s); watches should set timeoutSeconds and a bigger deadline. */
  timeoutMs?: number;
  /** Stop reading after this many bytes of body (watch streams). */
  maxBody?: number;
  /** A watch: a 200 resolves with what arrived in the first `streamMs` (default 300), then the stream is closed. */
  stream?: boolean;
  streamMs?: number;
  /**
   * A test's own bookkeeping, not a hostile request (reading a target back, listing the store,
   * /readyz, creating fixtures): it may ride a kept-alive connection, which costs a tenth of a
   * fresh TLS handshake. Hostile requests never do, and never share those connections.
   */
  bookkeeping?: boolean;
}

export class RawClient {
  private readonly agent: https.Agent;
  private readonly kept: https.Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(c: Pick<Cluster, 'kubeconfig' | 'url'>) {
    const cred = credentials(c.kubeconfig);
    const u = new URL(c.url);
    this.host = u.hostname;
    this.port = Number(u.port);
    // No keep-alive: a hostile request may leave its connection half-closed, and a reused socket's
    // reset would be blamed on the next, innocent request.
    this.agent = new https.Agent({ keepAlive: false, maxSockets: 16, ca: cred.ca, cert: cred.cert, key: cred.key });
    // Bookkeeping requests only. An idle socket is dropped after 30 s, well before the server's
    // 90 s idle timeout, so a reused socket is never one the server is closing.
    this.kept = new https.Agent({ keepAlive: true, maxSockets: 16, timeout: 30_000, ca: cred.ca, cert: cred.cert, key: cred.key });
  }

  close(): void {
    this.agent.destroy();
    this.kept.destroy();
  }

  send(r: RawRequest): Promise<RawResult> {
    const started = Date.now();
    return new Promise((resolve) => {
      let done = false;
      const finish = (res: Omit<RawResult, 'ms'>) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve({ ...res, ms: Date.now() - started });
      };
      const headers: Record<string, string> = { ...(r.headers ?? {}) };
      if (r.body !== undefined) {
        headers['Content-Type'] ??= r.contentType ?? 'application/json';
        headers['Content-Length'] = String(Buffer.byteLength(r.body));
      }
      const req = https.request(
        { host: this.host, port: this.port, method: r.method, path: r.path, agent: r.bookkeeping ? this.kept : this.agent, headers },
        (res) => {
          let data = '';
          res.setEncoding('utf8');
          if (r.stream && res.statusCode === 200) {
            setTimeout(() => {
              finish({ status: 200, headers: res.headers, body: data });
              req.destroy();
            }, r.streamMs ?? 300);
          }
          res.on('data', (d: string) => {
            data += d;
            if (r.maxBody !== undefined && data.length >= r.maxBody) {
              finish({ status: res.statusCode ?? 0, headers: res.headers, body: data });
              req.destroy();
            }
          });
          res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: data }));
          res.on('error', (e: NodeJS.ErrnoException) =>
            finish({ status: res.statusCode ?? 0, headers: res.headers, body: data, error: e.code ?? e.message }),
          );
        },
      );
      const timer = setTimeout(() => {
        finish({ status: 0, headers: {}, body: '', error: 'client deadline exceeded' });
        req.destroy();
      }, r.timeoutMs ?? 10_000);
      req.on('error', (e: NodeJS.ErrnoException) => finish({ status: 0, headers: {}, body: '', error: e.code ?? e.message }));
      if (r.body !== undefined) req.write(r.body);
      req.end();
    });
  }

  /** A bookkeeping request (see RawRequest.bookkeeping) whose answer is parsed as JSON. */
  async json(method: string, path: string, body?: unknown): Promise<{ status: number; obj: any }> {
    const res = await this.send({ method, path, bookkeeping: true, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    let obj: any;
    try {
      obj = JSON.parse(res.body);
    } catch {
      obj = undefined;
    }
    return { status: res.status, obj };
  }
}

/** Parses a body as a Status, or undefined. */
export function statusOf(res: RawResult): { kind?: string; code?: number; reason?: string; message?: string; details?: any } | undefined {
  try {
    const v = JSON.parse(res.body);
    return v && typeof v === 'object' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** One line describing a result, for failure messages. */
export function describeResult(res: RawResult): string {
  const body = res.body.length > 300 ? `${res.body.slice(0, 300)}…` : res.body;
  return res.status === 0 ? `no answer (${res.error})` : `${res.status} ${body.replace(/\s+/g, ' ')}`;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
