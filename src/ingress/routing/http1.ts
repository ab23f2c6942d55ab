// The routing core's fast path: HTTP/1.1 proxied on raw sockets, with no IncomingMessage,
// ServerResponse or ClientRequest per request — Node's http objects cost most of a proxied
// request's time, so the common case skips them. A client connection's requests are parsed here
// (one at a time, in order: pipelined ones wait), routed by the same Router as HttpProxy, and
// written to a kept-alive upstream connection from a pool per endpoint; the answer is relayed as it
// arrives, framed by Content-Length, chunked encoding (passed through as is) or the upstream
// closing.
//
// Anything this path does not handle — HTTP/1.0, Transfer-Encoding in a request, Upgrade, Expect,
// odd framing, a head over 16 KiB, a malformed line — is handed over untouched, with the bytes
// already read, to Node's own HTTP server (HttpProxy), which keeps that connection from then on. So
// the fast path never has to judge a request it does not fully understand (request smuggling
// lives in those corners), and Node's parser answers malformed input as it always does.
import { STATUS_CODES } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { BackendAddress } from './backends.js';
import { applyHeaderChanges, forwardedHeaders, HeaderMap, idempotent, type Decision, type ProxyOptions, type RoutedRequest, type Router } from './proxy.js';

const maxHead = 16 * 1024;
const maxResponseHead = 64 * 1024;
/** A client connection with nothing to read or write for this long is closed (nginx's keepalive_timeout); ProxyOptions.clientIdleMs. */
const defaultClientIdleMs = 75_000;
const maxIdlePerEndpoint = 64;
/** An idle upstream connection is closed after this long unused (ProxyOptions.upstreamIdleMs), within one sweep's period. */
const defaultUpstreamIdleMs = 60_000;
const idleSweepMs = 5_000;
/** Request headers not passed on (hop-by-hop, and framing the fast path sets itself). */
const dropRequest = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade', 'transfer-encoding', 'content-length', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip']);
/** Response headers not passed on: hop-by-hop, except Transfer-Encoding, whose chunks are relayed as they are. */
const dropResponse = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);
const tokenChars = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the proxy sets on the way up, whatever the client's Connection header lists. */
const ownHeaders = ['host', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-real-ip'];
/** A request target that may be written upstream as it is. */
const forwardableTarget = /^[\x21-\x7e]+$/;
/** No names listed in Connection (never written to). */
const noNames = new Set<string>();

/** A parsed request head; fields as RoutedRequest wants them. */
interface Head extends RoutedRequest {
  method: string;
  url: string;
  /** Header lines as received (name, value, lower-case name), for forwarding in order and case. */
  raw: [string, string, string][];
  length: number;
  keepAlive: boolean;
  /**
   * The head's bytes up to its last header line's end (without the blank line), when nothing in it
   * is dropped or rewritten on the way up (no hop-by-hop header, no X-Forwarded-*): the request
   * then leaves as these bytes and the proxy's own lines, with no header re-encoded.
   */
  plain?: Buffer;
}

type Parsed = Head | 'incomplete' | 'fallback';

/** Adds a header, joining a repeated one as Node joins it. */
function addHeader(headers: Record<string, string>, lower: string, value: string): void {
  const prior = headers[lower];
  headers[lower] = prior === undefined ? value : lower === 'cookie' ? `${prior}; ${value}` : `${prior}, ${value}`;
}

const headEnd = Buffer.from('\r\n\r\n');
/**
 * Control characters other than HTAB, which field-content never holds (RFC 9110 §5.5). A value
 * with one is not the fast path's to judge: it goes to Node's parser (a request) or is a 502 (an
 * answer), never passed on as it came.
 */
const badValue = /[\x00-\x08\x0a-\x1f\x7f]/;
/** parseHead's answer for a head the fast path leaves to Node. */
const toNode = { head: 'fallback', size: 0 } as const;

const isOWS = (c: number): boolean => c === 0x20 || c === 0x09;

/**
 * The header line of a head's text that starts at `pos`: its name, its value without the SP and
 * HTAB around it, and where the next line starts; undefined when it is not a well-formed field line
 * (no colon, a name that is not a token — which also catches obs-fold and spaces before ':' — or a
 * control character other than HTAB in the value).
 */
function headerLine(text: string, pos: number): { name: string; value: string; next: number } | undefined {
  let end = text.indexOf('\r\n', pos);
  if (end < 0) end = text.length;
  const colon = text.indexOf(':', pos);
  if (colon <= pos || colon > end) return undefined;
  const name = text.slice(pos, colon);
  // Only SP and HTAB are optional whitespace around a value. String.prototype.trim() also strips
  // \v, \f and \xa0, which the far side may not: "Content-Length:\xa051" read as 51 here could be
  // read as 0 there, once the head is passed on as it came (a request smuggled behind this one).
  let from = colon + 1;
  let to = end;
  while (from < to && isOWS(text.charCodeAt(from))) from++;
  while (to > from && isOWS(text.charCodeAt(to - 1))) to--;
  const value = text.slice(from, to);
  if (!tokenChars.test(name) || badValue.test(value)) return undefined;
  return { name, value, next: end + 2 };
}

/**
 * Parses one request head at the start of `buf`; `fallback` for anything the fast path leaves to
 * Node. Walks the head's text with indexOf rather than splitting it: this runs once per request.
 */
function parseHead(buf: Buffer, remoteAddress: string | undefined): { head: Parsed; size: number } {
  const end = buf.indexOf(headEnd);
  if (end < 0) return buf.length > maxHead ? toNode : { head: 'incomplete', size: 0 };
  if (end > maxHead) return toNode;
  const text = buf.toString('latin1', 0, end);
  let eol = text.indexOf('\r\n');
  if (eol < 0) eol = text.length;
  // method SP request-target SP "HTTP/1.1", nothing else on the line.
  const sp1 = text.indexOf(' ');
  const sp2 = sp1 < 0 ? -1 : text.indexOf(' ', sp1 + 1);
  if (sp2 < 0 || sp2 > eol || eol - sp2 !== 9 || !text.startsWith('HTTP/1.1', sp2 + 1) || text.charCodeAt(sp1 + 1) !== 0x2f) return toNode;
  const method = text.slice(0, sp1);
  if (!tokenChars.test(method)) return toNode;
  const headers = new HeaderMap();
  const raw: [string, string, string][] = [];
  let length = 0;
  // An offer to upgrade to h2c (`curl --http2` on http://) is declined by answering in HTTP/1.1, as
  // RFC 9113 §3.1 lets a server; it is not passed on (nginx does not pass it either). Clients that
  // want HTTP/2 without TLS open with its preface instead (front.ts). Connection and HTTP2-Settings
  // are judged after the loop, once it is known whether the request made that offer.
  let h2cOffers = 0;
  let connection: [string, string][] | undefined;
  let settings: [string, string][] | undefined;
  let plain = true;
  for (let pos = eol + 2; pos < text.length; ) {
    const line = headerLine(text, pos);
    if (!line) return toNode;
    const { name, value } = line;
    pos = line.next;
    const lower = name.toLowerCase();
    // Content-Length is dropped and written again by the general path; kept as sent, it says the same.
    if (plain && lower !== 'content-length' && (dropRequest.has(lower) || lower === 'http2-settings')) plain = false;
    switch (lower) {
      case 'transfer-encoding':
      case 'expect':
        return toNode;
      case 'upgrade':
        if (value.toLowerCase() !== 'h2c') return toNode;
        h2cOffers++;
        continue;
      case 'http2-settings':
        (settings ??= []).push([name, value]);
        continue;
      case 'connection':
        (connection ??= []).push([name, value]);
        continue;
      case 'content-length':
        if (headers[lower] !== undefined || !/^\d{1,15}$/.test(value)) return toNode;
        length = Number(value);
        break;
      case 'host':
        if (headers[lower] !== undefined) return toNode;
        break;
    }
    addHeader(headers, lower, value);
    raw.push([name, value, lower]);
  }
  let keepAlive = true;
  if (settings && h2cOffers === 0) {
    for (const [name, value] of settings) {
      addHeader(headers, 'http2-settings', value);
      raw.push([name, value, 'http2-settings']);
    }
  }
  for (const [name, given] of connection ?? []) {
    let value = given;
    if (h2cOffers > 0) {
      value = value.split(',').map((t) => t.trim()).filter((t) => !/^(upgrade|http2-settings)$/i.test(t)).join(', ');
      if (value === '') continue;
    }
    for (const t of value.toLowerCase().split(',')) {
      const o = t.trim();
      if (o === 'close') keepAlive = false;
      else if (o === 'upgrade') return toNode;
    }
    addHeader(headers, 'connection', value);
    raw.push([name, value, 'connection']);
  }
  return {
    head: { method, url: text.slice(sp1 + 1, sp2), httpVersion: '1.1', headers, raw, length, keepAlive, socket: { remoteAddress }, plain: plain ? buf.subarray(0, end) : undefined },
    size: end + 4,
  };
}

/** Where an upstream response ends, from its head: a byte count, chunked, or when the upstream closes. */
type Framing = { kind: 'length'; left: number } | { kind: 'chunked'; state: ChunkState } | { kind: 'close' };

interface ChunkState {
  /** size: a size line; data: `left` bytes; crlf: the CRLF after a chunk's data; trailer: lines after the last chunk. */
  phase: 'size' | 'data' | 'crlf' | 'trailer';
  left: number;
  line: string;
}

/**
 * Advances the chunked state over `buf`: the index just past the message's end, -1 when it goes on,
 * -2 when it is malformed. Strict (hex digits only, CRLF where the grammar has one), so the proxy
 * never ends an answer somewhere its client's parser would not.
 */
function scanChunked(st: ChunkState, buf: Buffer, from: number): number {
  let i = from;
  while (i < buf.length) {
    if (st.phase === 'data') {
      const take = Math.min(st.left, buf.length - i);
      i += take;
      st.left -= take;
      if (st.left === 0) st.phase = 'crlf';
      continue;
    }
    // A line (size, the CRLF after data, or a trailer): collect until LF.
    const lf = buf.indexOf(10, i);
    const part = buf.toString('latin1', i, lf < 0 ? buf.length : lf);
    st.line += part;
    if (st.line.length > 4096) return -2;
    if (lf < 0) return -1;
    i = lf + 1;
    if (!st.line.endsWith('\r')) return -2;
    const line = st.line.slice(0, -1);
    st.line = '';
    if (st.phase === 'crlf') {
      if (line !== '') return -2;
      st.phase = 'size';
      continue;
    }
    if (st.phase === 'trailer') {
      if (line === '') return i;
      const colon = line.indexOf(':');
      if (colon <= 0 || !tokenChars.test(line.slice(0, colon)) || /[\0\r]/.test(line)) return -2;
      continue;
    }
    const sizeText = line.split(';')[0]!.replace(/[ \t]+$/, '');
    if (!/^[0-9a-fA-F]{1,15}$/.test(sizeText)) return -2;
    const size = parseInt(sizeText, 16);
    if (size === 0) st.phase = 'trailer';
    else {
      st.phase = 'data';
      st.left = size;
    }
  }
  return -1;
}

/** `head` (latin1) and the first `bodyBytes` of `rest` in one buffer: an answer that leaves in one write. */
function withHead(head: string, rest: Buffer, bodyBytes: number): Buffer {
  const size = Buffer.byteLength(head, 'latin1');
  const out = Buffer.allocUnsafe(size + bodyBytes);
  out.write(head, 0, 'latin1');
  rest.copy(out, size, 0, bodyBytes);
  return out;
}

/** What upstream connections read into; see Upstream. */
const upstreamReadBuffer = Buffer.allocUnsafe(64 * 1024);

/** Where an upstream connection's bytes and its end go while it carries a request. */
interface UpstreamUse {
  data(chunk: Buffer): void;
  close(): void;
}

/**
 * A connection to an endpoint. Its listeners are set once for its life and each request only
 * says whose it is now (`use`): adding and removing three listeners and re-arming a socket timer
 * per request cost more than anything else the fast path did in JavaScript.
 */
class Upstream {
  use: UpstreamUse | undefined;
  idleSince = 0;

  readonly socket: Socket;

  constructor(a: BackendAddress, readonly key: string, private readonly pools: Pools) {
    // Answers are read into one buffer all upstream connections share (`onread`), not a fresh
    // 64 KiB allocation per read: `use.data` gets a view that is only valid during the call, and
    // copies what it keeps or writes on.
    this.socket = connect({
      host: a.ip,
      port: a.port,
      noDelay: true,
      onread: { buffer: upstreamReadBuffer, callback: (n: number, buf: Uint8Array) => this.read(n, buf) },
    });
    // An idle connection the upstream closes (its keep-alive timeout) leaves the pool.
    this.socket.on('close', () => (this.use ? this.use.close() : this.pools.drop(this)));
    this.socket.on('error', () => undefined); // 'close' follows
  }

  private read(n: number, buf: Uint8Array): boolean {
    const view = Buffer.from(buf.buffer, buf.byteOffset, n);
    if (this.use) this.use.data(view);
    else this.pools.drop(this); // an idle connection has nothing to say
    return true;
  }
}

/** Idle upstream connections per endpoint, reused for the next request. */
class Pools {
  private readonly idle = new Map<string, Upstream[]>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs: number) {}

  /** A new connection to `a`, for the caller's request. */
  open(key: string, a: BackendAddress): Upstream {
    return new Upstream(a, key, this);
  }

  take(key: string): Upstream | undefined {
    const list = this.idle.get(key);
    while (list?.length) {
      const u = list.pop()!;
      if (!u.socket.destroyed && u.socket.readyState === 'open') return u;
      u.socket.destroy();
    }
    return undefined;
  }

  give(u: Upstream): void {
    u.use = undefined;
    let list = this.idle.get(u.key);
    if (!list) this.idle.set(u.key, (list = []));
    if (list.length >= maxIdlePerEndpoint) return void u.socket.destroy();
    u.idleSince = performance.now();
    // It may have been paused for a slow client: an idle one must read, to see its upstream close
    // (an idle connection has nothing to say: a byte from it ends it too).
    if (u.socket.isPaused()) u.socket.resume();
    list.push(u);
    // Connections idle for a minute are closed by one sweep every few seconds, not a timer each.
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(idleSweepMs, this.idleMs)).unref();
  }

  /** An idle connection that closed or spoke: out of its pool, and gone. */
  drop(u: Upstream): void {
    const list = this.idle.get(u.key);
    const at = list ? list.indexOf(u) : -1;
    if (at >= 0) list!.splice(at, 1);
    u.socket.destroy();
  }

  forget(keep: ReadonlySet<string>): void {
    for (const [key, list] of this.idle) {
      if (keep.has(key)) continue;
      for (const u of list.splice(0)) u.socket.destroy();
      this.idle.delete(key);
    }
    if (this.idle.size === 0) this.stopSweeping();
  }

  private sweep(): void {
    const before = performance.now() - this.idleMs;
    for (const [key, list] of this.idle) {
      // Oldest first: a list is pushed to and popped from its end.
      while (list.length && list[0]!.idleSince <= before) list.shift()!.socket.destroy();
      if (list.length === 0) this.idle.delete(key);
    }
    if (this.idle.size === 0) this.stopSweeping();
  }

  private stopSweeping(): void {
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

const ignore = (): void => undefined;

/**
 * Closes client connections idle for `idleMs`, give or take a sixth of it, and those whose end we
 * sent and that do not close theirs within one or two sixths. Connections note the
 * sweep count when they are active instead of each re-arming a socket timer: Node's socket timeout
 * is refreshed (taken out of and put back into the timer list) on every read and every write, about
 * 0.3 us a request on the fast path.
 */
class ClientIdleSweep {
  /** Sweeps done so far: a connection's `activeAt` is the count when it was last active. */
  count = 0;
  private readonly live = new Set<ClientConnection>();
  private readonly periods = 6;
  private timer: NodeJS.Timeout | undefined;
  constructor(private readonly idleMs: number) {}

  add(c: ClientConnection): void {
    this.live.add(c);
    this.timer ??= setInterval(() => this.sweep(), this.idleMs / this.periods).unref();
  }

  delete(c: ClientConnection): void {
    this.live.delete(c);
    if (this.live.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  private sweep(): void {
    this.count++;
    for (const c of this.live) if (this.count - c.activeAt > (c.ending ? 1 : this.periods)) c.idleOut();
  }
}

function errorResponse(status: number, body: string, keepAlive: boolean, extra: Record<string, string> = {}): string {
  const typed = Object.keys(extra).some((k) => k.toLowerCase() === 'content-type');
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Status'}\r\n${typed ? '' : 'Content-Type: text/plain; charset=utf-8\r\n'}Content-Length: ${Buffer.byteLength(body)}\r\n`;
  for (const [k, v] of Object.entries(extra)) head += `${k}: ${v}\r\n`;
  if (!keepAlive) head += 'Connection: close\r\n';
  return `${head}\r\n${body}`;
}

function validHeaderValue(v: string): boolean {
  return !badValue.test(v);
}

export interface Http1Options extends ProxyOptions {
  /** Takes a connection the fast path leaves to Node; `head` is what was read of it (already unshifted). */
  fallback: (socket: Duplex, scheme: 'http' | 'https', head: Buffer) => void;
}

export class Http1Proxy {
  private readonly pools: Pools;
  /** @internal */ readonly idle: ClientIdleSweep;
  constructor(private router: Router, private readonly opts: Http1Options) {
    this.pools = new Pools(opts.upstreamIdleMs ?? defaultUpstreamIdleMs);
    this.idle = new ClientIdleSweep(opts.clientIdleMs ?? defaultClientIdleMs);
  }

  update(router: Router): void {
    this.router = router;
  }

  forget(keep: ReadonlySet<string>): void {
    this.pools.forget(keep);
  }

  close(): void {
    this.pools.forget(new Set());
  }

  /** Serves a client connection (plain TCP, or a TLS socket after its handshake). */
  accept(socket: Socket, scheme: 'http' | 'https'): void {
    new ClientConnection(this, socket, scheme).start();
  }

  /** @internal */ route(req: RoutedRequest, scheme: 'http' | 'https'): Decision | undefined {
    return this.router(req, scheme);
  }
  /** @internal */ get options(): Http1Options {
    return this.opts;
  }
  /** @internal */ get upstreams(): Pools {
    return this.pools;
  }
}

class ClientConnection {
  private buf: Buffer = Buffer.alloc(0);
  /** A request is being proxied: later bytes wait (pipelining is answered in order). */
  private busy = false;
  private closed = false;
  /** The client sent FIN: once what it sent is answered, the connection ends. */
  private ended = false;
  /** Where the current request's body goes as it arrives, and how much of it is still to come. */
  private bodySink: ((chunk: Buffer) => void) | undefined;
  private bodyLeft = 0;
  private readonly onData = (d: Buffer) => this.data(d);
  private readonly nextRequest = () => this.next();
  /** next() is running: a request it finishes at once (an answer of the proxy's own) queues the next one instead of recursing. */
  private inNext = false;
  /** The idle sweep's count when the connection last read or wrote (see ClientIdleSweep). */
  activeAt: number;
  /** Our side is ended (endClient): the client has a sweep period or two to close its side. */
  ending = false;
  /** The request being proxied upstream, which a client that goes away takes with it. */
  exchange: Exchange | undefined;

  constructor(private readonly p: Http1Proxy, private readonly socket: Socket, private readonly scheme: 'http' | 'https') {
    this.activeAt = p.idle.count;
  }

  start(): void {
    this.socket.setNoDelay(true);
    this.p.idle.add(this);
    this.socket.on('data', this.onData);
    this.socket.on('end', this.onEnd);
    this.socket.on('error', this.onError);
    this.socket.on('close', this.onClose);
  }

  private readonly onEnd = () => {
    this.ended = true;
    if (!this.busy && this.buf.length === 0) this.endClient();
  };
  private readonly onError = () => this.socket.destroy();
  private readonly onClose = () => {
    this.closed = true;
    this.p.idle.delete(this);
    this.exchange?.clientGone();
  };

  private data(d: Buffer): void {
    this.activeAt = this.p.idle.count;
    if (this.bodyLeft > 0) {
      const mine = d.length <= this.bodyLeft ? d : d.subarray(0, this.bodyLeft);
      this.bodyLeft -= mine.length;
      const sink = this.bodySink!;
      if (this.bodyLeft === 0) this.bodySink = undefined;
      sink(mine);
      if (mine.length === d.length) return;
      d = d.subarray(mine.length);
    }
    this.buf = this.buf.length ? Buffer.concat([this.buf, d]) : d;
    if (!this.busy) this.next();
    else if (this.buf.length > 1 << 20) this.socket.pause(); // a pipelining client that races ahead waits
  }

  /** Hands the connection, with every unread byte, to Node's HTTP server. */
  private fallback(): void {
    this.socket.removeListener('data', this.onData);
    this.socket.removeListener('end', this.onEnd);
    this.socket.removeListener('error', this.onError);
    this.socket.removeListener('close', this.onClose);
    this.p.idle.delete(this);
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (rest.length) this.socket.unshift(rest);
    this.p.options.fallback(this.socket, this.scheme, rest);
  }

  /** Idle too long (ClientIdleSweep). */
  idleOut(): void {
    this.socket.destroy();
  }

  private next(): void {
    this.inNext = true;
    try {
      this.startNext();
    } finally {
      this.inNext = false;
    }
  }

  /** Starts on the next request read, if it is whole and none is in progress. */
  private startNext(): void {
    if (this.closed || this.busy || this.buf.length === 0) return;
    const { head, size } = parseHead(this.buf, this.socket.remoteAddress);
    if (head === 'incomplete') return;
    if (head === 'fallback') return this.fallback();
    const max = this.p.options.maxBodyBytes ?? 1 << 20;
    this.buf = this.buf.subarray(size);
    this.busy = true;
    const start = performance.now();
    if (head.length > max) {
      // The body is not read: the connection cannot go on.
      return this.answer(head, start, 413, '413 Request Entity Too Large\n', false);
    }
    let d: Decision | undefined;
    try {
      d = this.p.route(head, this.scheme);
    } catch {
      d = { kind: 'respond', status: 500, body: '500 Internal Server Error\n' };
    }
    if (!d) return this.answer(head, start, 404, '404 page not found\n', head.keepAlive);
    if (d.kind === 'respond') {
      const headers = d.headers ?? {};
      if (!Object.values(headers).every(validHeaderValue)) return this.answer(head, start, 500, '500 Internal Server Error: the route produced an invalid header\n', head.keepAlive, undefined, d.info);
      return this.answer(head, start, d.status, d.body ?? '', head.keepAlive, headers, d.info);
    }
    if (!d.endpoints || d.endpoints.size === 0) return this.answer(head, start, 503, '503 Service Temporarily Unavailable\n', head.keepAlive, undefined, d.info);
    new Exchange(this.p, this, head, d, this.scheme, start).run();
  }

  /** Answers from the proxy itself; the body of the request (if any) is read and dropped, unless the connection closes. */
  answer(head: Head, start: number, status: number, body: string, keepAlive: boolean, headers?: Record<string, string>, info?: Decision['info']): void {
    this.socket.write(errorResponse(status, body, keepAlive, headers));
    this.p.options.onDone?.({ info, status, ms: performance.now() - start, req: head });
    if (!keepAlive) return this.endClient();
    this.receiveBody(head.length, () => undefined, () => this.finish(true));
  }

  /**
   * The current request's body: what came with the head at once, the rest as it arrives, each
   * piece to `sink`; `done` once all of it went.
   */
  receiveBody(length: number, sink: (chunk: Buffer) => void, done: () => void): void {
    const take = Math.min(length, this.buf.length);
    if (take > 0) {
      const first = this.buf.subarray(0, take);
      this.buf = this.buf.subarray(take);
      sink(first);
    }
    this.bodyLeft = length - take;
    if (this.bodyLeft === 0) return done();
    this.bodySink = (chunk) => {
      sink(chunk);
      if (this.bodyLeft === 0) done();
    };
  }

  get client(): Socket {
    return this.socket;
  }

  /** Ends the connection: our side now, theirs when they close (or the idle sweep a period or two later). */
  private endClient(): void {
    // Once: the client's FIN after ours comes here too, and ending an ended socket again makes
    // Node build an error (a stack trace) that nobody reads.
    if (this.ending) return;
    this.ending = true;
    this.activeAt = this.p.idle.count;
    this.socket.removeListener('data', this.onData);
    this.socket.on('data', ignore);
    this.socket.resume();
    this.socket.end();
    // A client that does not close its side is closed by the idle sweep a period or two later;
    // one that closes leaves the sweep's set at once (a timer per connection held every closed
    // connection for 5 s, tens of thousands at a new connection per request).
  }

  /** The exchange is over: the next request, or the end of the connection. */
  finish(keepAlive: boolean): void {
    this.busy = false;
    if (!keepAlive || this.closed || (this.ended && this.buf.length === 0)) return this.endClient();
    this.socket.resume();
    // Answers the proxy gives itself finish inside next(), and a client that pipelines thousands
    // of them in one packet must not grow the stack with each: those queue the next request. An
    // answer relayed from upstream finishes from the upstream's read, and goes on at once (Node's
    // queueMicrotask makes an async resource and a bound function per call).
    if (this.inNext) queueMicrotask(this.nextRequest);
    else this.next();
  }
}

/** One request sent upstream and its answer relayed. */
class Exchange implements UpstreamUse {
  /** Endpoints a new connection was tried to (a retry goes elsewhere); made on the first. */
  private tried: Set<string> | undefined;
  private upstream: Upstream | undefined;
  private key = '';
  private responded = false;
  private bodySent = 0;

  constructor(
    private readonly p: Http1Proxy,
    private readonly conn: ClientConnection,
    private readonly head: Head,
    private readonly d: Extract<Decision, { kind: 'forward' }>,
    private readonly scheme: 'http' | 'https',
    private readonly start: number,
  ) {}

  run(): void {
    this.conn.exchange = this;
    this.attempt();
  }

  /** A client that goes away takes its exchange with it: the upstream connection is not reused. */
  clientGone(): void {
    this.aborted = true;
    this.upstream?.socket.destroy();
  }

  private cleanup(): void {
    if (this.conn.exchange === this) this.conn.exchange = undefined;
  }

  /** The client went away: nothing is retried or answered any more. */
  private aborted = false;

  private requestHead(): string | Buffer | undefined {
    const req = this.head;
    if (req.plain && !this.d.requestHeaders?.length && this.d.host === undefined && (this.d.url === undefined || this.d.url === req.url)) {
      if (!forwardableTarget.test(req.url)) return undefined;
      // The client's head as it came, and the proxy's own lines after its last header line.
      const own = `\r\n${this.ownLines()}\r\n`;
      const out = Buffer.allocUnsafe(req.plain.length + own.length);
      req.plain.copy(out, 0);
      out.write(own, req.plain.length, 'latin1');
      return out;
    }
    // Names the client listed in Connection are hop-by-hop too.
    const connection = req.headers['connection'] as string | undefined;
    const listed = connection ? new Set(connection.toLowerCase().split(',').map((x) => x.trim())) : noNames;
    // What the proxy itself sets is never the client's to remove.
    if (connection) for (const own of ownHeaders) listed.delete(own);
    const changes = this.d.requestHeaders ?? [];
    let out = `${req.method} ${this.d.url ?? req.url} HTTP/1.1\r\n`;
    if (changes.length === 0 && this.d.host === undefined) {
      for (const [name, value, lower] of req.raw) {
        if (!dropRequest.has(lower) && !listed.has(lower)) out += `${name}: ${value}\r\n`;
      }
      out += this.ownLines();
    } else {
      // A route changes headers: build them as a map (lower-case names), then write them out.
      const h: Record<string, string | string[]> = new HeaderMap();
      for (const [k, v] of Object.entries(forwardedHeaders(req, this.scheme))) if (!listed.has(k) && k !== 'content-length') h[k] = v;
      if (this.d.host !== undefined) h['host'] = this.d.host;
      for (const c of changes) applyHeaderChanges(h, c);
      for (const [k, v] of Object.entries(h)) for (const one of Array.isArray(v) ? v : [v]) {
        if (!validHeaderValue(one)) return undefined;
        out += `${k}: ${one}\r\n`;
      }
    }
    if (req.length > 0) out += `Content-Length: ${req.length}\r\n`;
    if (!forwardableTarget.test(this.d.url ?? req.url)) return undefined;
    return `${out}\r\n`;
  }

  /** The lines the proxy adds on the way up, each ending in CRLF: a client's X-Forwarded-For is extended. */
  private ownLines(): string {
    const req = this.head;
    const peer = req.socket.remoteAddress ?? '';
    const prior = req.headers['x-forwarded-for'];
    return `X-Forwarded-For: ${prior ? `${String(prior)}, ${peer}` : peer}\r\nX-Forwarded-Proto: ${this.scheme}\r\nX-Forwarded-Host: ${req.headers.host ?? ''}\r\nX-Real-IP: ${peer}\r\n`;
  }

  private fail(status: number, body: string): void {
    if (this.responded) return void this.conn.client.destroy();
    this.responded = true;
    // The request body may be half read: the connection cannot carry another request.
    const keepAlive = this.head.length === 0 && this.head.keepAlive;
    this.conn.answer({ ...this.head, length: keepAlive ? 0 : this.head.length }, this.start, status, body, keepAlive, undefined, this.d.info);
  }

  // The current attempt's state. Fields and methods rather than closures: an exchange is made per
  // request, and a closure per handler per request was the fast path's largest allocation.
  private gotBytes = false;
  private respHead: Buffer | undefined;
  private waitingForDrain = false;
  private framing: Framing | undefined;
  private upstreamKeepAlive = true;
  private clientKeepAlive = true;
  private done = false;
  /** Made once, on the first wait for a slow client. */
  private resumeUpstream: (() => void) | undefined;

  private attempt(): void {
    const a: BackendAddress | undefined = this.d.endpoints!.pick(this.tried);
    if (!a) return this.fail(502, '502 Bad Gateway\n');
    this.key = `${a.ip}:${a.port}`;
    const reqHead = this.requestHead();
    if (reqHead === undefined) return this.fail(500, '500 Internal Server Error: the route produced an invalid request\n');
    const pooled = this.p.upstreams.take(this.key);
    if (!pooled) (this.tried ??= new Set()).add(this.key);
    const upstream = pooled ?? this.p.upstreams.open(this.key, a);
    this.upstream = upstream;
    this.gotBytes = false;
    this.respHead = undefined;
    this.waitingForDrain = false;
    this.framing = undefined;
    this.upstreamKeepAlive = true;
    this.clientKeepAlive = this.head.keepAlive;
    this.done = false;
    upstream.use = this;
    // The head was read as latin1 (bytes as they came), so it leaves as latin1: the same bytes.
    if (typeof reqHead === 'string') upstream.socket.write(reqHead, 'latin1');
    else upstream.socket.write(reqHead);
    if (this.head.length > 0) this.sendBody(upstream.socket);
  }

  private complete(): void {
    if (this.done) return;
    this.done = true;
    this.cleanup();
    if (this.bodySent < this.head.length) {
      // Answered before the whole body was sent (an early 401, say): the rest of the body must
      // reach no one — this upstream connection is not reused, and the client's is ended.
      this.upstreamKeepAlive = false;
      this.clientKeepAlive = false;
    }
    if (this.waitingForDrain) this.conn.client.removeListener('drain', this.resumeUpstream!);
    const upstream = this.upstream!;
    if (this.upstreamKeepAlive && this.framing?.kind !== 'close') this.p.upstreams.give(upstream);
    else {
      upstream.use = undefined;
      upstream.socket.destroy();
    }
    this.conn.finish(this.clientKeepAlive);
  }

  private relay(chunk: Buffer): void {
    this.conn.activeAt = this.p.idle.count;
    const client = this.conn.client;
    if (!client.write(chunk) && !this.waitingForDrain) {
      this.waitingForDrain = true;
      const up = this.upstream!.socket;
      up.pause();
      this.resumeUpstream ??= () => {
        this.waitingForDrain = false;
        this.upstream!.socket.resume();
      };
      client.once('drain', this.resumeUpstream);
    }
  }

  /** Bytes of the answer's body, framed as its head said. */
  private body(chunk: Buffer): void {
    const f = this.framing!;
    if (f.kind === 'close') return this.relay(chunk);
    if (f.kind === 'length') {
      if (chunk.length >= f.left) {
        if (f.left > 0) this.relay(chunk.subarray(0, f.left));
        if (chunk.length > f.left) this.upstreamKeepAlive = false; // more than it announced: not to be trusted again
        f.left = 0;
        return this.complete();
      }
      f.left -= chunk.length;
      return this.relay(chunk);
    }
    const end = scanChunked(f.state, chunk, 0);
    if (end === -2) {
      this.relay(chunk);
      this.conn.client.destroy();
      this.upstream!.socket.destroy();
      return;
    }
    if (end === -1) return this.relay(chunk);
    this.relay(chunk.subarray(0, end));
    if (end < chunk.length) this.upstreamKeepAlive = false;
    this.complete();
  }

  /** UpstreamUse: `chunk` is a view of the upstream read buffer (see Upstream): what is kept or written on is copied. */
  data(chunk: Buffer): void {
    this.gotBytes = true;
    if (this.framing) return this.body(Buffer.from(chunk));
    const up = this.upstream!.socket;
    let respHead = this.respHead?.length ? Buffer.concat([this.respHead, chunk]) : chunk;
    const end = respHead.indexOf(headEnd);
    if (end < 0) {
      if (respHead === chunk) respHead = Buffer.from(chunk);
      this.respHead = respHead;
      if (respHead.length > maxResponseHead) {
        up.destroy();
        this.fail(502, '502 Bad Gateway\n');
      }
      return;
    }
    this.respHead = undefined;
    const parsed = this.responseHead(respHead.toString('latin1', 0, end));
    if (!parsed) {
      up.destroy();
      return this.fail(502, '502 Bad Gateway\n');
    }
    if (parsed.informational) {
      // 1xx (but 101): passed on, and the real answer follows.
      this.relay(Buffer.from(parsed.text, 'latin1'));
      const rest = respHead.subarray(end + 4);
      if (rest.length) this.data(rest);
      return;
    }
    this.upstreamKeepAlive = parsed.keepAlive;
    const framing = (this.framing = parsed.framing);
    // Close-delimited answers end with the connection; an answer before the whole request body was
    // sent (an early 401, say) leaves the rest of that body on the client's connection, which then
    // cannot carry another request (complete()): either way the answer says Connection: close.
    if (framing.kind === 'close' || this.bodySent < this.head.length) this.clientKeepAlive = false;
    this.responded = true;
    const rest = respHead.subarray(end + 4);
    this.p.options.onDone?.({ info: this.d.info, status: parsed.status, upstream: this.key, ms: performance.now() - this.start, req: this.head });
    if (framing.kind === 'length' && rest.length >= framing.left) {
      // The whole answer is here (the common case): head and body leave in one write — as the
      // upstream sent them when nothing in the head changes.
      this.relay(parsed.plain && this.clientKeepAlive ? Buffer.from(respHead.subarray(0, end + 4 + framing.left)) : withHead(this.answerHead(parsed), rest, framing.left));
      if (rest.length > framing.left) this.upstreamKeepAlive = false;
      framing.left = 0;
      return this.complete();
    }
    const client = this.conn.client;
    client.cork();
    this.relay(Buffer.from(this.answerHead(parsed), 'latin1'));
    if (rest.length) this.body(Buffer.from(rest));
    process.nextTick(() => client.uncork());
  }

  /** The answer's head as written to the client: HTTP/1.1, the kept lines, Connection: close when the connection ends. */
  private answerHead(parsed: { status: number; reason: string; lines: string }): string {
    return `HTTP/1.1 ${parsed.status} ${parsed.reason}\r\n${parsed.lines}${this.clientKeepAlive ? '' : 'Connection: close\r\n'}\r\n`;
  }

  /** UpstreamUse: the upstream connection closed. */
  close(): void {
    if (this.done) return;
    if (this.aborted) {
      this.done = true;
      this.cleanup();
      return;
    }
    if (this.framing?.kind === 'close') return this.complete();
    const retryable = idempotent.has(this.head.method) && this.head.length === 0;
    if (!this.gotBytes && !this.responded && this.bodySent === 0 && retryable) {
      // A kept-alive connection the upstream had just closed, or an endpoint refusing: another try.
      // Not bounded by the list's size: the endpoint tried may have left the list meanwhile (a
      // deleted pod), and the next one is then still to try. attempt() answers 502 once every
      // endpoint in the list was tried; pooled connections tried are not counted, and the pool is finite.
      this.upstream!.use = undefined;
      return this.attempt();
    }
    this.done = true;
    this.cleanup();
    if (this.responded) this.conn.client.destroy();
    else this.fail(502, '502 Bad Gateway\n');
  }

  /** The request body, as it arrives, with backpressure: the client waits while the upstream is slow to take it. */
  private sendBody(up: Socket): void {
    const client = this.conn.client;
    this.conn.receiveBody(
      this.head.length,
      (chunk) => {
        this.bodySent += chunk.length;
        if (!up.write(chunk)) {
          client.pause();
          up.once('drain', () => client.resume());
        }
      },
      () => undefined,
    );
  }

  /**
   * The upstream's answer head: its status, framing, and the header lines to send the client
   * (with the route's response header changes made; the status line and any Connection: close are
   * the caller's).
   */
  private responseHead(text: string):
    | { informational: true; text: string }
    | { informational: false; status: number; reason: string; keepAlive: boolean; framing: Framing; lines: string; plain: boolean }
    | undefined {
    let eol = text.indexOf('\r\n');
    if (eol < 0) eol = text.length;
    // HTTP/1.x SP 3DIGIT [SP reason]
    const minor = text.charCodeAt(7);
    if (!text.startsWith('HTTP/1.') || (minor !== 0x30 && minor !== 0x31) || text.charCodeAt(8) !== 0x20) return undefined;
    if (eol > 12 && text.charCodeAt(12) !== 0x20) return undefined;
    const code = eol >= 12 ? text.slice(9, 12) : '';
    if (!/^\d{3}$/.test(code)) return undefined;
    const reason = eol > 12 ? text.slice(13, eol) : '';
    if (badValue.test(reason)) return undefined;
    const status = Number(code);
    if (status >= 100 && status < 200) {
      if (status === 101) return undefined; // no upgrade was asked for
      return { informational: true, text: `${text}\r\n\r\n` };
    }
    let keepAlive = minor === 0x31;
    let length: number | undefined;
    let chunked = false;
    const changes = this.d.responseHeaders;
    // Without header changes (the common case) the lines are written out as they are read; with
    // none dropped either, they are not written out at all: the answer's head leaves as it came.
    const kept: [string, string][] | undefined = changes?.length ? [] : undefined;
    let lines = '';
    let plain = kept === undefined && minor === 0x31;
    for (let pos = eol + 2; pos < text.length; ) {
      const start = pos;
      const line = headerLine(text, pos);
      if (!line) return undefined;
      const { name, value } = line;
      pos = line.next;
      const lower = name.toLowerCase();
      if (lower === 'connection') {
        const opts = value.toLowerCase();
        if (opts.includes('close')) keepAlive = false;
        else if (opts.includes('keep-alive')) keepAlive = true;
      } else if (lower === 'content-length') {
        if (!/^\d{1,15}$/.test(value) || (length !== undefined && length !== Number(value))) return undefined;
        length = Number(value);
      } else if (lower === 'transfer-encoding') {
        if (value.toLowerCase() !== 'chunked') return undefined;
        chunked = true;
      }
      if (dropResponse.has(lower)) {
        // A line to leave out: the lines before it, passed over so far, are kept as they came.
        if (plain) lines = text.slice(eol + 2, start);
        plain = false;
        continue;
      }
      if (kept) kept.push([name, value]);
      else if (!plain) lines += `${name}: ${value}\r\n`;
    }
    if (plain && eol < text.length) lines = `${text.slice(eol + 2)}\r\n`;
    if (chunked && length !== undefined) return undefined;
    const noBody = this.head.method === 'HEAD' || status === 204 || status === 304;
    const framing: Framing = noBody ? { kind: 'length', left: 0 } : chunked ? { kind: 'chunked', state: { phase: 'size', left: 0, line: '' } } : length !== undefined ? { kind: 'length', left: length } : { kind: 'close' };
    if (kept) {
      const h: Record<string, string | string[]> = new HeaderMap();
      for (const [k, v] of kept) {
        const lower = k.toLowerCase();
        const prior = h[lower];
        h[lower] = prior === undefined ? v : Array.isArray(prior) ? [...prior, v] : [prior, v];
      }
      for (const c of changes!) applyHeaderChanges(h, c);
      for (const [k, v] of Object.entries(h)) for (const one of Array.isArray(v) ? v : [v]) if (validHeaderValue(one)) lines += `${k}: ${one}\r\n`;
    }
    return { informational: false, status, reason, keepAlive, framing, lines, plain };
  }
}
