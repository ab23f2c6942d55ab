// DNS over TCP under clients that hold connections: real sockets on 127.0.0.1, a real server.
// Held connections must not lock other queries out (the oldest idle one gives way), silent and
// dribbling connections are closed by their deadlines, and UDP answers throughout.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { DNSServer } from '../../src/dns/server.js';
import { reply } from '../../src/dns/message.js';
import { decode, query, tcp, udp, type Target } from './client.js';

const held: Socket[] = [];
after(() => {
  for (const s of held) s.destroy();
});

async function startServer(opts: Partial<ConstructorParameters<typeof DNSServer>[0]> = {}): Promise<{ server: DNSServer; at: Target }> {
  const server = new DNSServer({
    listen: [{ host: '127.0.0.1', port: 0 }],
    // Every name answers NXDOMAIN: these tests are about connections, not records.
    handler: async () => reply('NXDOMAIN'),
    ...opts,
  });
  await server.start();
  return { server, at: server.addresses[0]! };
}

/** Opens `n` TCP connections that send nothing, from `localAddress`; resolves once all are connected. */
async function hold(at: Target, n: number, localAddress = '127.0.0.1'): Promise<Socket[]> {
  const out: Socket[] = [];
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: Math.min(100, n - i) }, () =>
      new Promise<Socket>((resolve, reject) => {
        const s = connect({ host: at.host, port: at.port, localAddress });
        s.once('connect', () => resolve(s));
        s.once('error', reject);
      }),
    );
    for (const s of await Promise.all(batch)) {
      s.on('error', () => undefined);
      out.push(s);
      held.push(s);
    }
  }
  return out;
}

function closedWithin(s: Socket, ms: number): Promise<number | undefined> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    if (s.destroyed || s.readableEnded) return resolve(0);
    const timer = setTimeout(() => resolve(undefined), ms);
    s.once('close', () => {
      clearTimeout(timer);
      resolve(Date.now() - t0);
    });
  });
}

/** One query over a new TCP connection from `localAddress`. */
function tcpFrom(localAddress: string, at: Target, msg: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host: at.host, port: at.port, localAddress });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => done(undefined), 1000);
    const done = (b: Buffer | undefined) => {
      clearTimeout(timer);
      s.destroy();
      resolve(b);
    };
    s.on('connect', () => s.write(Buffer.concat([Buffer.from([msg.length >> 8, msg.length & 255]), msg])));
    s.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) done(buf.subarray(2, 2 + buf.readUInt16BE(0)));
    });
    s.on('error', () => done(undefined));
  });
}

function dig(at: Target, args: string[]): Promise<string> {
  return new Promise((resolve) => {
    execFile('dig', [`@${at.host}`, '-p', String(at.port), '+time=2', '+tries=1', ...args], { timeout: 5000 }, (_err, stdout) => resolve(stdout));
  });
}

test('1,200 held TCP connections (the default caps): dig +tcp still answers at once, and UDP too', async () => {
  const { server, at } = await startServer();
  try {
    const conns = await hold(at, 1200);
    // The server counts the connections it keeps; it never holds more than its cap.
    assert.ok(server.tcpConnections <= 100, `${server.tcpConnections} connections from one client kept`);
    const t0 = Date.now();
    const out = await dig(at, ['+tcp', 'web.default.svc.cluster.local', 'A']);
    assert.match(out, /status: NXDOMAIN/, out);
    assert.ok(Date.now() - t0 < 1500, `dig +tcp took ${Date.now() - t0} ms`);
    assert.match(await dig(at, ['web.default.svc.cluster.local', 'A']), /status: NXDOMAIN/);
    assert.ok(server.stats.tcpEvicted >= 1100, `evicted ${server.stats.tcpEvicted}`);
    for (const c of conns) c.destroy();
  } finally {
    await server.stop();
  }
});

test('one client at its cap displaces its own oldest idle connection; another client is untouched', async () => {
  const { server, at } = await startServer({ maxTCPConnectionsPerClient: 5, maxTCPConnections: 8 });
  try {
    const other = await hold(at, 3, '127.0.0.2');
    const mine = await hold(at, 5, '127.0.0.1');
    // A sixth from 127.0.0.1 closes 127.0.0.1's oldest, not 127.0.0.2's.
    const r = decode(await tcp(at, query('a.example', 'A')));
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.notEqual(await closedWithin(mine[0]!, 1000), undefined, 'the oldest of the client at its cap was closed');
    for (const s of other) assert.equal(s.destroyed || s.readableEnded, false, 'the other client kept its connections');
    // Back to 8 in all (once the server saw the query's connection close); a third client gets in
    // by closing the oldest idle connection of all.
    for (let i = 0; i < 100 && server.tcpConnections !== 7; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(server.tcpConnections, 7);
    await hold(at, 1, '127.0.0.1');
    assert.equal(server.tcpConnections, 8);
    const third = decode(await tcpFrom('127.0.0.3', at, query('b.example', 'A')));
    assert.equal(third.rcode, 'NXDOMAIN');
    // 127.0.0.2's were accepted before all the others (in some order among themselves).
    const closed = await Promise.all(other.map((s) => closedWithin(s, 500)));
    assert.equal(closed.filter((c) => c !== undefined).length, 1, 'one of the oldest idle connections was closed');
  } finally {
    await server.stop();
  }
});

test('a connection with a query half sent is busy and is not closed to make room: the new one is', async () => {
  const { server, at } = await startServer({ maxTCPConnectionsPerClient: 3, tcpReadTimeoutMs: 1500 });
  try {
    const busy = await hold(at, 3);
    // Two bytes of length and one of message: a query under way.
    for (const s of busy) s.write(Buffer.from([0, 30, 1]));
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(await tcp(at, query('c.example', 'A'), 500), undefined, 'refused while every connection is busy');
    assert.ok(server.stats.tcpRefused >= 1);
    for (const s of busy) assert.equal(s.destroyed, false);
  } finally {
    await server.stop();
  }
});

test('a connection that sends no query is closed after the read timeout; one dribbling bytes too', async () => {
  const { server, at } = await startServer({ tcpReadTimeoutMs: 300, tcpIdleMs: 600 });
  try {
    const [silent, dribbler] = await hold(at, 2);
    // A 40-byte query announced, then one byte of it every 50 ms: always active, never complete.
    let sent = 0;
    const timer = setInterval(() => dribbler!.write(Buffer.from([sent++ === 0 ? 0 : sent === 2 ? 40 : 1])), 50);
    const [a, b] = await Promise.all([closedWithin(silent!, 3000), closedWithin(dribbler!, 3000)]);
    clearInterval(timer);
    assert.ok(a !== undefined && a >= 250 && a < 1500, `silent connection closed after ${a} ms`);
    assert.ok(b !== undefined && b < 1500, `dribbling connection closed after ${b} ms`);
    assert.ok(server.stats.tcpTimedOut >= 2);
  } finally {
    await server.stop();
  }
});

test('after an answer the connection stays for the idle timeout, serves a second query, then closes', async () => {
  const { server, at } = await startServer({ tcpReadTimeoutMs: 300, tcpIdleMs: 700 });
  try {
    const [s] = await hold(at, 1);
    const answers: Buffer[] = [];
    let buf = Buffer.alloc(0);
    s!.on('data', (c: Buffer) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        answers.push(buf.subarray(2, 2 + buf.readUInt16BE(0)));
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
    });
    const send = (m: Buffer) => s!.write(Buffer.concat([Buffer.from([m.length >> 8, m.length & 255]), m]));
    send(query('one.example', 'A', { id: 1 }));
    // Past the read timeout but inside the idle timeout: still open.
    await new Promise((r) => setTimeout(r, 450));
    send(query('two.example', 'A', { id: 2 }));
    const closedAfter = await closedWithin(s!, 3000);
    assert.deepEqual(answers.map((a) => decode(a).id), [1, 2]);
    assert.ok(closedAfter !== undefined && closedAfter >= 600, `closed ${closedAfter} ms after the second query`);
    // UDP was never affected.
    assert.equal(decode(await udp(at, query('three.example', 'A'))).rcode, 'NXDOMAIN');
  } finally {
    await server.stop();
  }
});
