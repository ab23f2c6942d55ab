import { request as httpRequest } from 'node:http';
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { joinHostPort, sourceAddress } from '../../lib/env.js';
import { goJSON } from '../../lib/gofmt.js';
import { resolveHost } from '../../lib/resolve.js';

// netexec's /dial: the probe e2e tests use to check pod-to-Service and pod-to-pod connectivity.
// The query, the JSON answer and the error strings follow upstream exactly, because tests match
// on them (e.g. counting distinct hostnames in "responses").

export interface DialQuery {
  host: string;
  port: string;
  request: string;
  protocol: string;
  tries: string;
}

export type DialOutcome = { status: 200; body: string } | { status: 400 | 417; error: string };

const HTTP_TIMEOUT_MS = 5000;
const UDP_TIMEOUT_MS = 5000;

// The few service names Go finds in /etc/services that tests might use.
const NAMED_PORTS: Record<string, number> = { http: 80, https: 443, domain: 53 };

function resolvePort(network: string, port: string): number {
  if (port === '') return 0;
  if (/^\d+$/.test(port)) {
    const n = Number(port);
    if (n > 65535) throw new Error(`address ${port}: invalid port`);
    return n;
  }
  const named = NAMED_PORTS[port.toLowerCase()];
  if (named === undefined) throw new Error(`lookup ${network}/${port}: unknown port`);
  return named;
}

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  EADDRNOTAVAIL: 'cannot assign requested address',
  ETIMEDOUT: 'connection timed out',
  EPIPE: 'broken pipe',
};

function errnoText(err: NodeJS.ErrnoException): string {
  return (err.code && ERRNO_TEXT[err.code]) || err.message;
}

/** One GET of http://addr/request with Go's http.Client semantics: 5 s budget, redirects followed. */
export function dialHTTP(request: string, addr: string): Promise<string> {
  const first = `http://${addr}/${request}`;
  const deadline = Date.now() + HTTP_TIMEOUT_MS;
  const get = (rawURL: string, redirects: number): Promise<string> =>
    new Promise((resolve, reject) => {
      const quoted = JSON.stringify(rawURL);
      let url: URL;
      try {
        url = new URL(rawURL);
      } catch {
        reject(new Error(`parse ${quoted}: invalid URL`));
        return;
      }
      let connected = false;
      let gotHeaders = false;
      const localAddress = sourceAddress(url.hostname.replace(/^\[|\]$/g, ''));
      const req = httpRequest(url, {
        method: 'GET',
        ...(localAddress ? { localAddress } : {}),
        agent: false, // upstream closes idle connections after every try: each try is a new connection
        headers: { 'User-Agent': 'Go-http-client/1.1', 'Accept-Encoding': 'identity' },
      });
      const remaining = deadline - Date.now();
      const timer = setTimeout(() => {
        const why = gotHeaders
          ? 'context deadline exceeded (Client.Timeout or context cancellation while reading body)'
          : `Get ${quoted}: context deadline exceeded (Client.Timeout exceeded while awaiting headers)`;
        req.destroy(new Error(why));
      }, Math.max(remaining, 0));
      req.on('socket', (s) => s.on('connect', () => (connected = true)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (!err.code) {
          reject(err);
          return;
        }
        const target = joinHostPort(url.hostname.replace(/^\[|\]$/g, ''), url.port || '80');
        if (!connected) reject(new Error(`Get ${quoted}: dial tcp ${target}: connect: ${errnoText(err)}`));
        else if (err.code === 'ECONNRESET' && err.message === 'socket hang up') reject(new Error(`Get ${quoted}: EOF`));
        else reject(new Error(`Get ${quoted}: read tcp ${target}: read: ${errnoText(err)}`));
      });
      req.on('response', (res) => {
        gotHeaders = true;
        const status = res.statusCode ?? 0;
        const loc = res.headers.location;
        if ([301, 302, 303, 307, 308].includes(status) && loc) {
          res.resume();
          clearTimeout(timer);
          if (redirects >= 10) {
            reject(new Error(`Get ${JSON.stringify(new URL(loc, url).href)}: stopped after 10 redirects`));
            return;
          }
          get(new URL(loc, url).href, redirects + 1).then(resolve, reject);
          return;
        }
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          clearTimeout(timer);
          resolve(Buffer.concat(chunks).toString('utf8'));
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(err);
        });
      });
      req.end();
    });
  return get(first, 0);
}

/** One datagram to addr, one reply read within 5 s (upstream's dialUDP). */
export function dialUDP(request: string, host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    const remote = joinHostPort(host, port);
    let local = '';
    const done = (fn: () => void): void => {
      clearTimeout(timer);
      sock.close();
      fn();
    };
    const timer = setTimeout(
      () => done(() => reject(new Error(`reading from udp connection failed. err:'read udp ${local}->${remote}: i/o timeout'`))),
      UDP_TIMEOUT_MS,
    );
    sock.on('error', (err: NodeJS.ErrnoException) =>
      done(() =>
        reject(
          new Error(
            local === ''
              ? `udp dial failed. err:dial udp ${remote}: ${errnoText(err)}`
              : `reading from udp connection failed. err:'read udp ${local}->${remote}: read: ${errnoText(err)}'`,
          ),
        ),
      ),
    );
    sock.on('message', (msg) =>
      done(() =>
        msg.length === 0 ? reject(new Error(`reading from udp connection failed. err:'<nil>'`)) : resolve(msg.toString('utf8')),
      ),
    );
    // A connected socket, like Go's DialUDP, so ICMP port-unreachable surfaces as "connection refused".
    const connect = (): void => sock.connect(port, host, () => {
      const a = sock.address();
      local = joinHostPort(a.address, a.port);
      sock.send(request, (err) => {
        if (err) done(() => reject(new Error(`udp connection write failed. err:write udp ${local}->${remote}: ${errnoText(err)}`)));
      });
    });
    const src = sourceAddress(host);
    if (src) sock.bind(0, src, connect);
    else connect();
  });
}

/** The whole /dial request: validation, one resolution, `tries` sequential attempts. */
export async function dial(q: DialQuery): Promise<DialOutcome> {
  let tries = 1;
  if (q.tries.length > 0) {
    if (!/^[+-]?\d+$/.test(q.tries)) {
      return { status: 400, error: `tries parameter is invalid. strconv.Atoi: parsing ${JSON.stringify(q.tries)}: invalid syntax` };
    }
    tries = Number(q.tries);
  }
  if (q.request.length === 0) return { status: 400, error: 'request parameter not specified. <nil>' };

  const protocol = q.protocol.toLowerCase();
  if (!['', 'http', 'udp', 'sctp'].includes(protocol)) {
    return { status: 400, error: `unsupported protocol. ${q.protocol}` };
  }
  const network = protocol === '' || protocol === 'http' ? 'tcp' : protocol;
  let ip: string;
  let port: number;
  try {
    port = resolvePort(network, q.port);
    // Resolved once, before the tries, as upstream does: with a Service name every try goes to
    // the same ClusterIP and the proxy picks the backend.
    ip = await resolveHost(q.host);
    if (ip === '') ip = '127.0.0.1'; // Go dials the local system for an empty host
  } catch (err) {
    return { status: 400, error: `host and/or port param are invalid. ${(err as Error).message}` };
  }

  const responses: string[] = [];
  const errors: string[] = [];
  let last = '';
  for (let i = 0; i < tries; i++) {
    try {
      if (network === 'tcp') last = await dialHTTP(q.request, joinHostPort(ip, port));
      else if (network === 'udp') last = await dialUDP(q.request, ip, port);
      else throw new Error('sctp dial failed. err:protocol not supported');
      responses.push(last);
    } catch (err) {
      last = '';
      errors.push((err as Error).message);
    }
  }
  const out: Record<string, string[]> = {};
  // Upstream's quirk, kept: "responses" appears only when the last try returned a non-empty body.
  if (last.length > 0) out.responses = responses;
  if (errors.length > 0) out.errors = errors;
  return { status: 200, body: goJSON(out) };
}
