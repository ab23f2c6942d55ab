// The udp-batch addon (native/udp-batch) over real sockets on 127.0.0.1: bursts read and answered
// in batches, replies sent later, datagrams too long for a slot, a failing handler, bind errors,
// and a socket that is closed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { BatchUDPSocket, UDP_BATCH_ADDON, udpBatchAvailable } from '../../src/dns/udp-batch.js';
import { parseIPv4 } from '../../src/util/ipv4.js';

const skip = udpBatchAvailable() ? false : `${UDP_BATCH_ADDON} is not built here (no C compiler?): the DNS server uses dgram, tested in server-dgram.test.ts`;

/** A client socket that collects replies as strings. */
async function client(): Promise<{ sock: Socket; got: string[]; port: number }> {
  const sock = createSocket('udp4');
  const got: string[] = [];
  sock.on('message', (m) => got.push(m.toString()));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { sock, got, port: sock.address().port };
}

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

const send = (c: Socket, port: number, data: string | Buffer) => new Promise<void>((r) => c.send(data, port, '127.0.0.1', () => r()));

test('a burst of 2,000 datagrams: every one answered, each to its sender, with the sender seen', { skip }, async () => {
  const senders = new Set<string>();
  const server = BatchUDPSocket.bind('127.0.0.1', 0, 1 << 20, (data, offset, length, out, room, ip, port) => {
    senders.add(`${ip}:${port}`);
    const reply = Buffer.from(`re:${data.toString('latin1', offset, offset + length)}`);
    assert.ok(reply.length <= room);
    reply.copy(out, offset);
    return reply.length;
  });
  const a = await client();
  const b = await client();
  try {
    assert.ok(server.port > 0);
    // Waves of 200 not awaited one by one: they queue up in the server's socket buffer and are
    // read in batches. (Bigger waves would overflow the clients' own receive buffers: UDP drops.)
    for (let wave = 0; wave < 10; wave++) {
      const sends: Promise<void>[] = [];
      for (let i = wave * 100; i < (wave + 1) * 100; i++) {
        sends.push(send(a.sock, server.port, `a${i}`));
        sends.push(send(b.sock, server.port, `b${i}`));
      }
      await Promise.all(sends);
      await until(`${(wave + 1) * 200} replies`, () => a.got.length + b.got.length >= (wave + 1) * 200);
    }
    assert.deepEqual(new Set(a.got), new Set(Array.from({ length: 1000 }, (_, i) => `re:a${i}`)));
    assert.deepEqual(new Set(b.got), new Set(Array.from({ length: 1000 }, (_, i) => `re:b${i}`)));
    // Read in batches, not one wakeup per datagram.
    assert.equal(server.stats.datagrams, 2000);
    assert.ok(server.stats.batches <= 1000, `${server.stats.batches} batches for 2,000 datagrams`);
    const loopback = parseIPv4('127.0.0.1');
    assert.deepEqual(senders, new Set([`${loopback}:${a.port}`, `${loopback}:${b.port}`]));
  } finally {
    server.close();
    a.sock.close();
    b.sock.close();
  }
});

test('a reply not ready within its batch is sent later; the query is copied out first', { skip }, async () => {
  const server: BatchUDPSocket = BatchUDPSocket.bind('127.0.0.1', 0, 0, (data, offset, length, _out, _room, ip, port) => {
    const query = Buffer.from(data.subarray(offset, offset + length));
    setTimeout(() => server.send(Buffer.concat([Buffer.from('later:'), query]), ip, port), 10);
    return 0;
  });
  const c = await client();
  try {
    for (let i = 0; i < 50; i++) await send(c.sock, server.port, `q${i}`);
    await until('50 late replies', () => c.got.length >= 50);
    assert.deepEqual(new Set(c.got), new Set(Array.from({ length: 50 }, (_, i) => `later:q${i}`)));
  } finally {
    server.close();
    c.sock.close();
  }
});

test('a datagram longer than a slot is reported cut (-1) and not answered; the next one is', { skip }, async () => {
  const lengths: number[] = [];
  const server = BatchUDPSocket.bind('127.0.0.1', 0, 0, (_data, offset, length, out) => {
    lengths.push(length);
    if (length < 0) return 0;
    out.write('small', offset);
    return 5;
  });
  const c = await client();
  try {
    await send(c.sock, server.port, Buffer.alloc(9000, 0x41));
    await send(c.sock, server.port, 'x');
    await until('the reply to the small one', () => c.got.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(lengths, [-1, 1]);
    assert.deepEqual(c.got, ['small']);
  } finally {
    server.close();
    c.sock.close();
  }
});

test('a handler that throws, or claims more than its room, costs that datagram only', { skip }, async () => {
  const server = BatchUDPSocket.bind('127.0.0.1', 0, 0, (data, offset, length, out, room) => {
    const q = data.toString('latin1', offset, offset + length);
    if (q === 'throw') throw new Error('boom');
    if (q === 'huge') return room + 1;
    out.write(`ok ${q}`, offset);
    return 3 + length;
  });
  const c = await client();
  try {
    await Promise.all(['one', 'throw', 'huge', 'two'].map((q) => send(c.sock, server.port, q)));
    await until('two replies', () => c.got.length >= 2);
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(c.got.sort(), ['ok one', 'ok two']);
  } finally {
    server.close();
    c.sock.close();
  }
});

test('bind errors as Node reports them: a taken port, a bad address', { skip }, () => {
  const server = BatchUDPSocket.bind('127.0.0.1', 0, 0, () => 0);
  try {
    assert.throws(() => BatchUDPSocket.bind('127.0.0.1', server.port, 0, () => 0), (e: NodeJS.ErrnoException) => e.code === 'EADDRINUSE' && e.syscall === 'bind');
    assert.throws(() => BatchUDPSocket.bind('::1', 0, 0, () => 0), /IPv4/);
    assert.throws(() => BatchUDPSocket.bind('localhost', 0, 0, () => 0), /IPv4/);
    assert.throws(() => BatchUDPSocket.bind('127.0.0.1', 70000, 0, () => 0), /port/);
    assert.throws(() => BatchUDPSocket.bind('127.0.0.1', -1, 0, () => 0), /port/);
  } finally {
    server.close();
  }
});

test('after close nothing is read or sent, and closing twice is harmless', { skip }, async () => {
  let calls = 0;
  const server = BatchUDPSocket.bind('127.0.0.1', 0, 0, (_d, offset, _l, out) => {
    calls++;
    out.write('y', offset);
    return 1;
  });
  const port = server.port;
  const c = await client();
  try {
    await send(c.sock, port, 'before');
    await until('a reply before close', () => c.got.length === 1);
    server.close();
    server.close();
    server.send(Buffer.from('late'), parseIPv4('127.0.0.1')!, c.port);
    await send(c.sock, port, 'after');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls, 1);
    assert.deepEqual(c.got, ['y']);
    // The port is free again.
    const again = BatchUDPSocket.bind('127.0.0.1', port, 0, () => 0);
    again.close();
  } finally {
    c.sock.close();
  }
});
