// The tcp-relay addon (native/tcp-relay) between real sockets on 127.0.0.1, as the userspace
// proxy uses it: a client accepted paused, an endpoint connected paused, both handed over. Bulk
// bytes both ways under backpressure, half-closes in either order, a reset, destroy() in the
// middle, and sockets it cannot take.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { relayConnection, relayInC, TCP_RELAY_ADDON, tcpRelayAvailable, type Relayed } from '../../src/proxy/userspace/relay.js';

const skip = tcpRelayAvailable() ? false : `${TCP_RELAY_ADDON} is not built here (no C compiler?): the proxy copies with streams, tested in userspace-streams.test.ts`;

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as { port: number }).port)));

/**
 * A relay in front of `serve` (the endpoint's handler): returns the client side of a connection
 * through it, the relay, and a promise of its end.
 */
async function through(serve: (s: Socket) => void): Promise<{ client: Socket; relay: Relayed; ended: Promise<void>; close(): void }> {
  const endpoint = createServer({ allowHalfOpen: true }, serve);
  const endpointPort = await listen(endpoint);
  let relayed: (v: { relay: Relayed; ended: Promise<void> }) => void;
  const handed = new Promise<{ relay: Relayed; ended: Promise<void> }>((r) => (relayed = r));
  const front = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => {
    const e = connect({ host: '127.0.0.1', port: endpointPort, allowHalfOpen: true });
    e.pause();
    e.once('connect', () => {
      let end!: () => void;
      const ended = new Promise<void>((r) => (end = r));
      const relay = relayInC(c, e, () => end());
      assert.ok(relay, 'the relay took both sockets');
      relayed({ relay, ended });
    });
  });
  const frontPort = await listen(front);
  const client = connect({ host: '127.0.0.1', port: frontPort, allowHalfOpen: true });
  const { relay, ended } = await handed;
  return { client, relay, ended, close: () => (front.close(), endpoint.close()) };
}

const digest = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function collect(s: Socket): Promise<Buffer> {
  const parts: Buffer[] = [];
  s.on('data', (d: Buffer) => parts.push(d));
  return new Promise((r) => s.once('end', () => r(Buffer.concat(parts))));
}

test('64 MiB each way at once, byte for byte, with the counts; both ends passed on', { skip }, async () => {
  const up = randomBytes(64 * 1024 * 1024);
  const down = randomBytes(64 * 1024 * 1024);
  let atEndpoint: Promise<Buffer> | undefined;
  const t = await through((s) => {
    atEndpoint = collect(s);
    // Written without waiting for the client's bytes: both directions full at once.
    s.end(down);
  });
  try {
    const atClient = collect(t.client);
    t.client.end(up);
    const [gotDown, gotUp] = await Promise.all([atClient, (async () => {
      while (!atEndpoint) await new Promise((r) => setTimeout(r, 5));
      return atEndpoint;
    })()]);
    assert.equal(digest(gotUp), digest(up));
    assert.equal(digest(gotDown), digest(down));
    await t.ended;
    assert.equal(t.relay.toEndpoint(), up.length);
    assert.equal(t.relay.toClient(), down.length);
  } finally {
    t.close();
  }
});

test('an end that arrives right behind whole buffers of data is passed on (sizes at multiples of the relay\'s 32 KiB reads)', { skip }, async () => {
  for (const size of [14, 15, 16, 17, 31, 32, 33].map((k) => k * 32768)) {
    let got: Promise<Buffer> | undefined;
    const t = await through((s) => {
      got = collect(s);
      void got.then(() => s.end('done'));
    });
    try {
      const answer = collect(t.client);
      // All of it queued before the relay reads, then the end.
      t.client.end(Buffer.alloc(size, 7));
      assert.equal((await answer).toString(), 'done', `${size} bytes`);
      assert.equal((await got!).length, size);
      await t.ended;
    } finally {
      t.close();
    }
  }
});

test('a client that half-closes still gets its answer; an endpoint that ends first still gets the rest', { skip }, async () => {
  // The endpoint answers only once the client has finished sending.
  const a = await through((s) => {
    const got = collect(s);
    void got.then((b) => s.end(Buffer.concat([Buffer.from('you sent '), b])));
  });
  try {
    const answer = collect(a.client);
    a.client.end('hello');
    assert.equal((await answer).toString(), 'you sent hello');
    await a.ended;
  } finally {
    a.close();
  }
  // The endpoint ends at once; the client keeps sending, and the endpoint reads it all.
  let received: Promise<Buffer> | undefined;
  const b = await through((s) => {
    received = collect(s);
    s.end('bye');
  });
  try {
    const answer = collect(b.client);
    assert.equal((await answer).toString(), 'bye');
    b.client.write('still ');
    b.client.end('talking');
    while (!received) await new Promise((r) => setTimeout(r, 5));
    assert.equal((await received).toString(), 'still talking');
    await b.ended;
  } finally {
    b.close();
  }
});

test('an endpoint that resets ends the client too; destroy() ends both and counts what went', { skip }, async () => {
  const a = await through((s) => {
    s.once('data', () => s.resetAndDestroy());
  });
  try {
    // The client half-closes on its own (allowHalfOpen): what it sees is the end.
    const ended = new Promise<void>((r) => a.client.once('end', () => r()));
    a.client.on('error', () => undefined);
    a.client.write('boom');
    await ended;
    await a.ended;
  } finally {
    a.close();
  }
  let endpointSide: Socket | undefined;
  const b = await through((s) => {
    endpointSide = s;
    s.on('data', () => undefined);
  });
  try {
    const clientClosed = new Promise<void>((r) => b.client.once('end', () => r()));
    b.client.write('12345');
    while (b.relay.toEndpoint() < 5) await new Promise((r) => setTimeout(r, 5));
    b.relay.destroy();
    b.relay.destroy();
    await clientClosed;
    await new Promise<void>((r) => (endpointSide!.readableEnded ? r() : endpointSide!.once('end', () => r())));
    await b.ended;
    assert.equal(b.relay.toEndpoint(), 5);
    assert.equal(b.relay.toClient(), 0);
  } finally {
    b.close();
  }
});

test('sockets without a descriptor, or with bytes already read, are left to streams', { skip }, async () => {
  const server = createServer((s) => s.end('hi'));
  const port = await listen(server);
  try {
    const a = connect({ host: '127.0.0.1', port });
    await new Promise((r) => a.once('connect', r));
    const b = connect({ host: '127.0.0.1', port });
    await new Promise((r) => b.once('connect', r));
    // b has read its greeting into Node's buffer: handing it over would lose it.
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(relayInC(a, b, () => undefined), undefined);
    a.destroy();
    assert.equal(relayInC(a, b, () => undefined), undefined);
    b.destroy();
  } finally {
    server.close();
  }
});

/** A front that relays each connection with relayConnection, reporting what happened to it. */
async function relayedFront(endpointPort: number): Promise<{ port: number; events: string[]; relays: Relayed[]; close(): void }> {
  const events: string[] = [];
  const relays: Relayed[] = [];
  const front = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => {
    const e = connect({ host: '127.0.0.1', port: endpointPort, allowHalfOpen: true });
    e.pause();
    e.once('connect', () =>
      relayConnection(c, e, {
        inC: true,
        handedOver: (r) => {
          events.push('handed over');
          relays.push(r);
        },
        ended: () => events.push('ended'),
      }),
    );
  });
  return { port: await listen(front), events, relays, close: () => front.close() };
}

test('a connection that keeps talking is handed to C after its second chunk; one that asks once stays with streams', { skip }, async () => {
  // An echo that answers each line.
  const endpoint = createServer({ allowHalfOpen: true }, (s) => {
    s.on('data', (d: Buffer) => s.write(d));
    s.on('end', () => s.end());
  });
  const front = await relayedFront(await listen(endpoint));
  try {
    const c = connect({ host: '127.0.0.1', port: front.port, allowHalfOpen: true });
    let got = '';
    c.on('data', (d: Buffer) => (got += d.toString()));
    let sent = '';
    for (let i = 0; i < 20; i++) {
      const line = `round trip ${i}\n`;
      sent += line;
      c.write(line);
      while (got.length < sent.length) await new Promise((r) => setTimeout(r, 2));
    }
    assert.equal(got, sent);
    assert.deepEqual(front.events, ['handed over']);
    // The counts run on across the handover: every byte each way.
    assert.equal(front.relays[0]!.toEndpoint(), sent.length);
    assert.equal(front.relays[0]!.toClient(), sent.length);
    c.end();
    await new Promise((r) => c.once('end', r));
    while (front.events.length < 2) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(front.events, ['handed over', 'ended']);

    const once = connect({ host: '127.0.0.1', port: front.port, allowHalfOpen: true });
    once.end('just this\n');
    let answer = '';
    once.on('data', (d: Buffer) => (answer += d.toString()));
    await new Promise((r) => once.once('end', r));
    assert.equal(answer, 'just this\n');
    while (front.events.length < 3) await new Promise((r) => setTimeout(r, 5));
    assert.deepEqual(front.events, ['handed over', 'ended', 'ended']);
  } finally {
    front.close();
    endpoint.close();
  }
});
