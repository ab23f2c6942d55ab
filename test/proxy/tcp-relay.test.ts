// The userspace proxy's two TCP transports between real sockets on 127.0.0.1: the tcp-relay addon
// (native/tcp-relay: accept, dial and relay in C) and Node's own sockets (the path without the
// addon). Each runs the same checks: bulk bytes both ways under backpressure with the counts,
// half-closes in either order, resets (an answer sent right before one included), destroy() in
// the middle, failed and timed-out dials followed by another, a client turned away, and listen
// errors as Node reports them. Then what only the addon does: a connection nobody dials for is
// turned away, calls it must refuse, a client reset during a dial, urgent data, a worker's exit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import type { ConnectionEvents, ProxiedConnection, TcpTransport } from '../../src/proxy/userspace/tcp-connection.js';
import { listenInC, TCP_RELAY_ADDON, tcpRelayAvailable } from '../../src/proxy/userspace/tcp-native.js';
import { listenWithStreams } from '../../src/proxy/userspace/tcp-streams.js';

const noAddon = tcpRelayAvailable() ? false : `${TCP_RELAY_ADDON} is not built here (no C compiler?): the proxy uses Node's sockets`;

type Listen = (ip: string, port: number, events: ConnectionEvents) => Promise<TcpTransport>;
const transports: [string, Listen, string | false][] = [
  ['in C', async (ip, port, events) => listenInC(ip, port, 511, events)!, noAddon],
  ['through streams', (ip, port, events) => listenWithStreams(ip, port, 511, events), false],
];

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const until = async (what: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await sleep(2);
  }
};
const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return new Promise((r) => s.once('end', () => r(Buffer.concat(parts))));
}

/** A free port on 127.0.0.1 (bound and released). */
async function freePort(): Promise<number> {
  const s = createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

/** What happened to the connections of a front, in order. */
interface Front {
  port: number;
  log: string[];
  conns: ProxiedConnection[];
  ended: Promise<void>;
  /** Stops accepting (the transport's close). */
  stop(): Promise<void>;
  /** Stops accepting and destroys every connection and client of the test. */
  close(): Promise<void>;
}

/**
 * A transport in front of endpoints: each accepted connection dials `targets` in turn (the next
 * after a failed dial, `timeoutMs` each) and is reset when they run out.
 */
async function front(listenWith: Listen, targets: number[], o: { timeoutMs?: number; accept?: (c: ProxiedConnection) => boolean } = {}): Promise<Front> {
  const log: string[] = [];
  const conns: ProxiedConnection[] = [];
  let endedOnce!: () => void;
  const ended = new Promise<void>((r) => (endedOnce = r));
  const dial = (c: ProxiedConnection) => {
    const port = targets[c.failedDials];
    if (port === undefined) {
      log.push('reset');
      c.reset();
      return;
    }
    c.dial('127.0.0.1', port, o.timeoutMs ?? 1000);
  };
  const events: ConnectionEvents = {
    accepted: (c) => {
      conns.push(c);
      log.push(`accepted ${c.peer()}`);
      if (o.accept && !o.accept(c)) return;
      dial(c);
    },
    dialed: (c, ok) => {
      log.push(ok ? 'connected' : 'dial failed');
      if (ok) return;
      c.failedDials++;
      dial(c);
    },
    ended: () => {
      log.push('ended');
      endedOnce();
    },
  };
  const port = await freePort();
  const t = await listenWith('127.0.0.1', port, events);
  return {
    port,
    log,
    conns,
    ended,
    stop: () => t.close(),
    close: async () => {
      destroyClients();
      for (const c of conns) c.destroy();
      await t.close();
    },
  };
}

/**
 * A listener that never accepts, its queue full: the kernel drops further SYNs, so a connect to
 * it neither completes nor fails (Python's, as Node accepts by itself).
 */
async function silentListener(t: { after(fn: () => void): void }): Promise<{ port: number }> {
  const py = spawn('python3', ['-c', 'import socket,sys\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\nprint(s.getsockname()[1],flush=True)\nsys.stdin.read()'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const fillers: Socket[] = [];
  t.after(() => {
    py.kill();
    for (const s of fillers) s.destroy();
  });
  const port = Number(await new Promise<string>((r) => py.stdout!.once('data', (d: Buffer) => r(d.toString()))));
  for (let i = 0; i < 3; i++) fillers.push(connect({ host: '127.0.0.1', port }).on('error', () => undefined));
  await sleep(50);
  return { port };
}

async function endpoint(serve: (s: Socket) => void): Promise<{ port: number; server: Server }> {
  const server = createServer({ allowHalfOpen: true }, serve);
  return { port: await listen(server), server };
}

/** Clients of the test running now: destroyed when it closes its front, so nothing keeps the process alive. */
const clients: Socket[] = [];
const client = (port: number) => {
  const c = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
  clients.push(c);
  return c;
};
const destroyClients = () => {
  for (const c of clients.splice(0)) c.destroy();
};

for (const [name, listenWith, skip] of transports) {
  test(`${name}: 64 MiB each way at once, byte for byte, with the counts; both ends passed on`, { skip }, async () => {
    const up = randomBytes(64 * 1024 * 1024);
    const down = randomBytes(64 * 1024 * 1024);
    let atEndpoint: Promise<Buffer> | undefined;
    const e = await endpoint((s) => {
      atEndpoint = collect(s);
      // Written without waiting for the client's bytes: both directions full at once.
      s.end(down);
    });
    const f = await front(listenWith, [e.port]);
    try {
      const c = client(f.port);
      const atClient = collect(c);
      c.end(up);
      const gotDown = await atClient;
      await until(() => atEndpoint !== undefined);
      const gotUp = await atEndpoint!;
      assert.equal(digest(gotUp), digest(up));
      assert.equal(digest(gotDown), digest(down));
      await f.ended;
      assert.deepEqual(f.log, ['accepted 127.0.0.1', 'connected', 'ended']);
      assert.equal(f.conns[0]!.toEndpoint(), up.length);
      assert.equal(f.conns[0]!.toClient(), down.length);
    } finally {
      await f.close();
      e.server.close();
    }
  });

  test(`${name}: an end right behind whole buffers of data is passed on (sizes at multiples of the C relay's 32 KiB reads)`, { skip }, async () => {
    let got: Promise<Buffer> | undefined;
    const e = await endpoint((s) => {
      got = collect(s);
      void got.then(() => s.end('done'));
    });
    const f = await front(listenWith, [e.port]);
    try {
      for (const size of [14, 15, 16, 17, 31, 32, 33].map((k) => k * 32768)) {
        got = undefined;
        const c = client(f.port);
        const answer = collect(c);
        // All of it queued before the relay reads, then the end.
        c.end(Buffer.alloc(size, 7));
        assert.equal((await answer).toString(), 'done', `${size} bytes`);
        assert.equal((await got!).length, size);
      }
      await until(() => f.log.filter((l) => l === 'ended').length === 7);
    } finally {
      await f.close();
      e.server.close();
    }
  });

  test(`${name}: a client that half-closes still gets its answer; an endpoint that ends first still gets the rest`, { skip }, async () => {
    // The endpoint answers only once the client has finished sending.
    const a = await endpoint((s) => void collect(s).then((b) => s.end(Buffer.concat([Buffer.from('you sent '), b]))));
    let received: Promise<Buffer> | undefined;
    // This one ends at once and reads what the client goes on sending.
    const b = await endpoint((s) => {
      received = collect(s);
      s.end('bye');
    });
    const fa = await front(listenWith, [a.port]);
    const fb = await front(listenWith, [b.port]);
    try {
      const ca = client(fa.port);
      const answer = collect(ca);
      ca.end('hello');
      assert.equal((await answer).toString(), 'you sent hello');
      await fa.ended;

      const cb = client(fb.port);
      assert.equal((await collect(cb)).toString(), 'bye');
      cb.write('still ');
      cb.end('talking');
      await until(() => received !== undefined);
      assert.equal((await received!).toString(), 'still talking');
      await fb.ended;
    } finally {
      await fa.close();
      await fb.close();
      a.server.close();
      b.server.close();
    }
  });

  test(`${name}: an endpoint that speaks first is heard before the client says anything`, { skip }, async () => {
    const e = await endpoint((s) => {
      s.write('220 ready\r\n');
      s.on('data', () => s.end('221 bye\r\n'));
    });
    const f = await front(listenWith, [e.port]);
    try {
      const c = client(f.port);
      const greeting = await new Promise<string>((r) => c.once('data', (d: Buffer) => r(d.toString())));
      assert.equal(greeting, '220 ready\r\n');
      const rest = collect(c);
      c.end('QUIT\r\n');
      assert.equal((await rest).toString(), '221 bye\r\n');
    } finally {
      await f.close();
      e.server.close();
    }
  });

  test(`${name}: an endpoint that resets ends the client too; destroy() ends both, counts what went and is told once`, { skip }, async () => {
    const a = await endpoint((s) => s.once('data', () => s.resetAndDestroy()));
    const fa = await front(listenWith, [a.port]);
    let endpointSide: Socket | undefined;
    const b = await endpoint((s) => {
      endpointSide = s;
      s.on('data', () => undefined);
    });
    const fb = await front(listenWith, [b.port]);
    try {
      const ca = client(fa.port);
      ca.on('error', () => undefined);
      // The client half-closes on its own (allowHalfOpen): what it sees is the end.
      const gone = new Promise<void>((r) => ca.once('end', () => r()));
      ca.write('boom');
      await gone;
      await fa.ended;

      const cb = client(fb.port);
      const clientEnded = new Promise<void>((r) => cb.once('end', () => r()));
      cb.write('12345');
      await until(() => fb.conns[0] !== undefined && fb.conns[0].toEndpoint() >= 5);
      fb.conns[0]!.destroy();
      fb.conns[0]!.destroy();
      await clientEnded;
      await until(() => endpointSide !== undefined && endpointSide.readableEnded);
      await fb.ended;
      await sleep(20);
      assert.equal(fb.log.filter((l) => l === 'ended').length, 1);
      assert.equal(fb.conns[0]!.toEndpoint(), 5);
      assert.equal(fb.conns[0]!.toClient(), 0);
    } finally {
      await fa.close();
      await fb.close();
      a.server.close();
      b.server.close();
    }
  });

  test(`${name}: a refused dial is followed by the next; when none is left the client gets a reset`, { skip }, async () => {
    const e = await endpoint((s) => s.end('served'));
    const refused = await freePort();
    const f = await front(listenWith, [refused, refused, e.port]);
    const g = await front(listenWith, [refused]);
    try {
      const c = client(f.port);
      assert.equal((await collect(c)).toString(), 'served');
      c.end();
      await f.ended;
      assert.deepEqual(f.log, ['accepted 127.0.0.1', 'dial failed', 'dial failed', 'connected', 'ended']);

      const d = client(g.port);
      const err = await new Promise<NodeJS.ErrnoException>((r) => d.once('error', r));
      assert.equal(err.code, 'ECONNRESET');
      await g.ended;
      assert.deepEqual(g.log, ['accepted 127.0.0.1', 'dial failed', 'reset', 'ended']);
    } finally {
      await f.close();
      await g.close();
      e.server.close();
    }
  });

  test(`${name}: a dial that gets no answer times out and the next endpoint serves`, { skip }, async (t) => {
    const { port: silent } = await silentListener(t);
    const e = await endpoint((s) => s.end('served'));
    const f = await front(listenWith, [silent, e.port], { timeoutMs: 150 });
    try {
      const started = performance.now();
      const c = client(f.port);
      assert.equal((await collect(c)).toString(), 'served');
      const ms = performance.now() - started;
      assert.deepEqual(f.log.slice(0, 3), ['accepted 127.0.0.1', 'dial failed', 'connected']);
      assert.ok(ms >= 140 && ms < 1000, `served after ${ms.toFixed(0)} ms (one 150 ms timeout)`);
    } finally {
      await f.close();
      e.server.close();
    }
  });

  test(`${name}: a client turned away before any dial gets a reset; close() stops accepting and leaves open connections alone`, { skip }, async () => {
    const e = await endpoint((s) => s.on('data', (d: Buffer) => s.write(d)));
    let first = true;
    const f = await front(listenWith, [e.port], {
      accept: (c) => {
        if (first) {
          first = false;
          return true;
        }
        c.reset();
        return false;
      },
    });
    try {
      const kept = client(f.port);
      const echoed = new Promise<string>((r) => kept.once('data', (d: Buffer) => r(d.toString())));
      kept.write('ping');
      assert.equal(await echoed, 'ping');
      const away = client(f.port);
      const err = await new Promise<NodeJS.ErrnoException>((r) => away.once('error', r));
      assert.equal(err.code, 'ECONNRESET');
      await f.stop();
      const refused = await new Promise<NodeJS.ErrnoException>((r) => client(f.port).once('error', r));
      assert.equal(refused.code, 'ECONNREFUSED');
      const again = new Promise<string>((r) => kept.once('data', (d: Buffer) => r(d.toString())));
      kept.write('still here');
      assert.equal(await again, 'still here');
      kept.destroy();
    } finally {
      await f.close();
      e.server.close();
    }
  });

  test(`${name}: an answer the endpoint sent right before resetting reaches the client`, { skip }, async () => {
    const e = await endpoint((s) =>
      s.once('data', () => {
        // As a server refusing an upload does: the answer, then a reset (the body left unread).
        s.write('HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n');
        s.resetAndDestroy();
      }),
    );
    const f = await front(listenWith, [e.port]);
    try {
      const c = client(f.port);
      c.on('error', () => undefined);
      let got = '';
      c.on('data', (d: Buffer) => (got += d.toString()));
      const over = new Promise<void>((r) => c.once('close', () => r()));
      c.write('POST / HTTP/1.1\r\nContent-Length: 100000\r\n\r\n');
      await until(() => got.length > 0 || c.destroyed || c.readableEnded);
      c.destroy();
      await over;
      assert.match(got, /^HTTP\/1\.1 413/);
    } finally {
      await f.close();
      e.server.close();
    }
  });

  test(`${name}: an address in use or not an address fails listen() with Node's error codes`, { skip }, async () => {
    const taken = createServer();
    const port = await listen(taken);
    const events: ConnectionEvents = { accepted: (c) => c.reset(), dialed: () => undefined, ended: () => undefined };
    try {
      await assert.rejects(listenWith('127.0.0.1', port, events), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE' && e.message.includes(`127.0.0.1:${port}`));
      await assert.rejects(listenWith('127.0.0.1', 99999, events), (e: Error) => /EINVAL|ERR_SOCKET_BAD_PORT|port/i.test(`${(e as NodeJS.ErrnoException).code} ${e.message}`));
    } finally {
      taken.close();
    }
  });
}

interface RawAddon {
  listen(host: string, port: number, backlog: number, onEvent: (...a: unknown[]) => unknown): unknown;
  close(l: unknown): void;
  dial(c: unknown, host: string, port: number, timeoutMs: number): void;
  peer(c: unknown): string;
  bytes(c: unknown): [number, number];
  destroy(c: unknown): void;
  reset(c: unknown): void;
}

const raw = () => createRequire(import.meta.url)(join(process.cwd(), TCP_RELAY_ADDON)) as RawAddon;

test('in C: a connection that JavaScript neither dials nor resets, or whose callback throws, is turned away', { skip: noAddon }, async () => {
  const addon = raw();
  const port = await freePort();
  let accepted = 0;
  const l = addon.listen('127.0.0.1', port, 16, (kind) => {
    if (kind === 0) accepted++;
    // Returns an object but never dials: the addon resets the client rather than hold it forever.
    return {};
  });
  try {
    const c = client(port);
    const err = await new Promise<NodeJS.ErrnoException>((r) => c.once('error', r));
    assert.equal(err.code, 'ECONNRESET');
    assert.equal(accepted, 1);
  } finally {
    destroyClients();
    addon.close(l);
  }
});

test('in C: calls it must refuse throw instead of crashing, and a dial is never reported from inside itself', { skip: noAddon }, async () => {
  const addon = raw();
  assert.throws(() => addon.listen('127.0.0.1', 1, 1, 'not a function' as never), TypeError);
  assert.throws(() => (addon.listen as (...a: unknown[]) => unknown)(), TypeError);
  assert.equal(addon.listen('not an address', 8080, 16, () => undefined), -22);
  assert.throws(() => addon.dial({}, '127.0.0.1', 1, 1), TypeError);
  assert.throws(() => addon.bytes('x'), TypeError);
  assert.throws(() => addon.peer(null), TypeError);
  // Another addon's handle: the udp-batch socket of a DNS listener, where that addon is built.
  const { BatchUDPSocket, udpBatchAvailable } = await import('../../src/dns/udp-batch.js');
  const udp = udpBatchAvailable() ? BatchUDPSocket.bind('127.0.0.1', 0, 65536, () => 0) : undefined;
  const foreign = (udp as unknown as { handle?: unknown } | undefined)?.handle;
  const port = await freePort();
  const e = await endpoint((s) => s.end('x'));
  const order: string[] = [];
  let handle: unknown;
  const l = addon.listen('127.0.0.1', port, 16, (kind, x) => {
    if (kind === 0) {
      handle = x;
      assert.throws(() => addon.dial(x, 'nowhere', 80, 100), TypeError);
      assert.throws(() => addon.dial(x, '127.0.0.1', 70000, 100), TypeError);
      // Refused at once by the kernel, still reported later.
      addon.dial(x, '127.0.0.1', 1, 100);
      order.push('dial returned');
      // The listener's own handle is not a connection, nor is another addon's handle.
      assert.throws(() => addon.dial(l, '127.0.0.1', 1, 100), TypeError);
      assert.throws(() => addon.destroy(l), TypeError);
      assert.throws(() => addon.peer(l), TypeError);
      if (foreign !== undefined) assert.throws(() => addon.dial(foreign, '127.0.0.1', 1, 100), TypeError);
      return {};
    }
    if (kind === 1) {
      order.push(`dialed ${String(order.length)}`);
      if (order.length === 2) {
        addon.dial(handle, '127.0.0.1', e.port, 1000);
        assert.throws(() => addon.dial(handle, '127.0.0.1', e.port, 1000), /not waiting for a dial/);
      }
    }
    return undefined;
  });
  try {
    const c = client(port);
    assert.equal((await collect(c)).toString(), 'x');
    assert.deepEqual(order.slice(0, 3), ['dial returned', 'dialed 1', 'dialed 2']);
    assert.throws(() => addon.close(handle), TypeError);
  } finally {
    destroyClients();
    udp?.close();
    addon.destroy(handle);
    addon.close(l);
    addon.close(l);
    e.server.close();
  }
});

test('in C: a client that resets while its dial is in flight is told as connected, then ended, once', { skip: noAddon }, async (t) => {
  // The first dial gets no answer; the client resets meanwhile; the second dial connects, and
  // its first read from the client meets the reset.
  const { port: silent } = await silentListener(t);
  const e = await endpoint((s) => s.on('data', () => undefined));
  const f = await front(async (ip, port, events) => listenInC(ip, port, 16, events)!, [silent, e.port], { timeoutMs: 100 });
  try {
    const c = connect({ host: '127.0.0.1', port: f.port });
    await new Promise((r) => c.once('connect', r));
    c.resetAndDestroy();
    await f.ended;
    await sleep(20);
    assert.deepEqual(f.log, ['accepted 127.0.0.1', 'dial failed', 'connected', 'ended']);
  } finally {
    await f.close();
    e.server.close();
  }
});

test('in C: urgent (out-of-band) data does not stall the bytes behind it', { skip: noAddon }, async () => {
  let received: Promise<Buffer> | undefined;
  const e = await endpoint((s) => {
    received = collect(s);
    void received.then((b) => s.end(`got ${b.toString()}`));
  });
  const f = await front(async (ip, port, events) => listenInC(ip, port, 16, events)!, [e.port]);
  try {
    // Python can send urgent data (Node cannot): 'abc', one urgent byte, 'def', then the end.
    const py = spawn(
      'python3',
      ['-c', `import socket,time\ns=socket.create_connection(("127.0.0.1",${f.port}))\ns.sendall(b"abc")\ntime.sleep(0.05)\ns.send(b"!",socket.MSG_OOB)\ntime.sleep(0.05)\ns.sendall(b"def")\ntime.sleep(0.05)\ns.shutdown(socket.SHUT_WR)\nout=b""\nwhile True:\n  d=s.recv(100)\n  if not d: break\n  out+=d\nprint(out.decode(),flush=True)`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    py.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => {
      const timer = setTimeout(() => (py.kill(), r(null)), 5000);
      py.once('exit', (c) => (clearTimeout(timer), r(c)));
    });
    assert.equal(code, 0, 'the client got its answer within 5 s');
    // The urgent byte is not part of the stream (no SO_OOBINLINE), as through Node's sockets.
    assert.equal(out.trim(), 'got abcdef');
  } finally {
    await f.close();
    e.server.close();
  }
});

test('in C: a worker thread that exits with a listener and a connection open leaves the process running', { skip: noAddon }, async () => {
  const { Worker } = await import('node:worker_threads');
  const e = await endpoint((s) => s.on('data', (d: Buffer) => s.write(d)));
  const port = await freePort();
  const url = new URL('../../src/proxy/userspace/tcp-native.js', import.meta.url).href;
  const w = new Worker(
    `const { parentPort } = require('node:worker_threads');
     import(${JSON.stringify(url)}).then(({ listenInC }) => {
       listenInC('127.0.0.1', ${port}, 16, {
         accepted: (c) => c.dial('127.0.0.1', ${e.port}, 1000),
         dialed: () => parentPort.postMessage('connected'),
         ended: () => undefined,
       });
       parentPort.postMessage('listening');
     });`,
    { eval: true },
  );
  try {
    await new Promise((r) => w.once('message', r));
    const c = client(port);
    const connected = new Promise((r) => w.once('message', r));
    const echoed = new Promise<string>((r) => c.once('data', (d: Buffer) => r(d.toString())));
    c.write('hi');
    await connected;
    assert.equal(await echoed, 'hi');
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    c.on('error', () => undefined);
    await w.terminate();
    // The worker's sockets went with it; this process goes on.
    c.end();
    await closed;
    await sleep(50);
    const again = await endpoint((s) => s.end('still alive'));
    const d = connect({ host: '127.0.0.1', port: again.port });
    assert.equal((await collect(d)).toString(), 'still alive');
    again.server.close();
  } finally {
    destroyClients();
    e.server.close();
  }
});

const ipv6Loopback = await new Promise<boolean>((resolve) => {
  const s = createServer();
  s.once('error', () => resolve(false));
  s.listen(0, '::1', () => s.close(() => resolve(true)));
});

test('in C: an IPv6 listener and an IPv6 endpoint, and the client\'s address as the proxy sees it', { skip: noAddon || (ipv6Loopback ? false : 'no IPv6 loopback here') }, async () => {
  const e = createServer({ allowHalfOpen: true }, (s) => s.end(`hello ${s.remoteAddress}`));
  await new Promise<void>((r) => e.listen(0, '::1', () => r()));
  const endpointPort = (e.address() as { port: number }).port;
  const peers: string[] = [];
  const events: ConnectionEvents = {
    accepted: (c) => {
      peers.push(c.peer());
      c.dial('::1', endpointPort, 1000);
    },
    dialed: () => undefined,
    ended: () => undefined,
  };
  const port = await freePort();
  const t = listenInC('::1', port, 16, events)!;
  try {
    const c = connect({ host: '::1', port, allowHalfOpen: true });
    clients.push(c);
    assert.equal((await collect(c)).toString(), 'hello ::1');
    assert.deepEqual(peers, ['::1']);
  } finally {
    destroyClients();
    await t.close();
    e.close();
  }
});
