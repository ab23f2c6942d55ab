// The server over real sockets on 127.0.0.1: UDP and TCP, EDNS0 sizes, truncation, malformed
// and random packets, SERVFAIL before sync. UDP goes through the udp-batch addon where it is built;
// server-dgram.test.ts runs this file again over Node's dgram (KUBESVC_TEST_DNS_UDP=dgram).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { startDNSWithIndex, type DNSHandle } from '../../src/dns/index.js';
import { staticIndex, type MemoryIndex } from '../../src/dns/memory-index.js';
import { BIG_ENDPOINTS, MID_ENDPOINTS, endpointSlices, ep, namespaces, pods, services, slice, svc } from './fixture.js';
import { decode, query, tcp, udp, type Target } from './client.js';
import { sorted } from './helpers.js';

let dns: DNSHandle;
let at: Target;
let index: MemoryIndex;

before(async () => {
  index = staticIndex({ namespaces, services, endpointSlices, pods });
  dns = await startDNSWithIndex(index, { listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [], batchedUDP: process.env.KUBESVC_TEST_DNS_UDP !== 'dgram' });
  at = dns.addresses[0]!;
});
after(async () => {
  await dns.stop();
});

const Z = 'cluster.local';

test('UDP and TCP answer on the same port, ID and RD echoed, authoritative', async () => {
  for (const send of [udp, tcp]) {
    const r = decode(await send(at, query(`web.default.svc.${Z}`, 'A', { id: 777 })));
    assert.equal(r.id, 777);
    assert.equal(r.rcode, 'NOERROR');
    assert.ok(r.flag_qr && r.flag_aa && r.flag_rd && !r.flag_tc);
    assert.deepEqual(sorted(r.answers), ['A 127.96.0.20']);
    assert.equal(r.questions![0]!.name, `web.default.svc.${Z}`);
  }
});

test('NXDOMAIN and NODATA carry the SOA on the wire', async () => {
  const nx = decode(await udp(at, query(`nope.default.svc.${Z}`, 'A')));
  assert.equal(nx.rcode, 'NXDOMAIN');
  assert.deepEqual(sorted(nx.authorities), [`SOA ns.dns.${Z} hostmaster.${Z}`]);
  const nodata = decode(await udp(at, query(`web.default.svc.${Z}`, 'AAAA')));
  assert.equal(nodata.rcode, 'NOERROR');
  assert.equal(nodata.answers!.length, 0);
  assert.deepEqual(sorted(nodata.authorities), [`SOA ns.dns.${Z} hostmaster.${Z}`]);
});

test('without EDNS0 a reply fits 512 bytes; a big headless answer is truncated (TC), then complete over TCP', async () => {
  const small = await udp(at, query(`headless.default.svc.${Z}`, 'A'));
  assert.equal(decode(small).flag_tc, false);
  const raw = await udp(at, query(`big.default.svc.${Z}`, 'A'));
  assert.ok(raw && raw.length <= 512, `reply of ${raw?.length} bytes`);
  const r = decode(raw);
  assert.equal(r.flag_tc, true);
  assert.ok(r.answers!.length > 0 && r.answers!.length < BIG_ENDPOINTS);
  assert.equal(r.additionals!.length, 0, 'no OPT for a query without one');
  const full = decode(await tcp(at, query(`big.default.svc.${Z}`, 'A')));
  assert.equal(full.flag_tc, false);
  assert.equal(full.answers!.length, BIG_ENDPOINTS);
});

test('EDNS0: the client UDP size is honoured, and the reply carries an OPT record', async () => {
  const at512 = decode(await udp(at, query(`mid.default.svc.${Z}`, 'A', { edns: 512 })));
  assert.equal(at512.flag_tc, true);
  const raw = await udp(at, query(`mid.default.svc.${Z}`, 'A', { edns: 4096 }));
  const big = decode(raw);
  assert.equal(big.flag_tc, false);
  assert.equal(big.answers!.length, MID_ENDPOINTS);
  assert.ok(raw!.length > 512);
  assert.deepEqual(big.additionals!.map((a) => a.type), ['OPT']);
  // Asking for 1232 bytes: truncated to at most that.
  const rawMid = await udp(at, query(`big.default.svc.${Z}`, 'A', { edns: 1232 }));
  assert.ok(rawMid!.length <= 1232 && rawMid!.length > 512, `reply of ${rawMid!.length} bytes`);
  assert.equal(decode(rawMid).flag_tc, true);
  // Sizes below 512 mean 512 (RFC 6891).
  const tiny = await udp(at, query(`headless.default.svc.${Z}`, 'A', { edns: 100 }));
  assert.equal(decode(tiny).flag_tc, false);
});

/** A valid-looking header with the given flags and counts, then `rest`. */
function header(id: number, flags: number, counts: [number, number, number, number], rest = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(flags, 2);
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + 2 * i));
  return Buffer.concat([h, rest]);
}

test('malformed packets: dropped when CoreDNS drops them, FORMERR / NOTIMP / BADVERS otherwise', async () => {
  assert.equal(await udp(at, Buffer.from([1, 2, 3, 4, 5]), 200), undefined, 'shorter than a header: silence');
  const resp = query(`web.default.svc.${Z}`, 'A');
  resp.writeUInt16BE(resp.readUInt16BE(2) | 0x8000, 2);
  assert.equal(await udp(at, resp, 200), undefined, 'a response: silence (no reflection)');

  const twoQ = decode(await udp(at, header(11, 0x0100, [2, 0, 0, 0])));
  assert.equal(twoQ.rcode, 'FORMERR');
  assert.equal(twoQ.id, 11);
  const cut = query(`web.default.svc.${Z}`, 'A').subarray(0, 20);
  assert.equal(decode(await udp(at, cut)).rcode, 'FORMERR', 'question cut short');
  assert.equal(decode(await tcp(at, cut)).rcode, 'FORMERR', 'question cut short, over TCP');
  const badLabel = header(12, 0, [1, 0, 0, 0], Buffer.from([0xc0, 0xff, 0, 1, 0, 1]));
  assert.equal(decode(await udp(at, badLabel)).rcode, 'FORMERR', 'compression pointer out of range');
  const status = query(`web.default.svc.${Z}`, 'A');
  status.writeUInt16BE(status.readUInt16BE(2) | (2 << 11), 2);
  assert.equal(decode(await udp(at, status)).rcode, 'NOTIMP', 'opcode STATUS');

  const v1 = query(`web.default.svc.${Z}`, 'A', { edns: 1232 });
  v1[v1.length - 5] = 1; // OPT ends: extended rcode (1), version (1), flags (2), rdlen (2)
  const bad = decode(await udp(at, v1));
  const opt = bad.additionals!.find((a) => a.type === 'OPT');
  assert.ok(opt && opt.type === 'OPT' && opt.extendedRcode === 1, 'BADVERS is extended rcode 1');
});

test('a burst of 1,000 random packets does not stop the server', async () => {
  const before = { ...dns.stats };
  const sock = createSocket('udp4');
  sock.on('message', () => undefined);
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  for (let i = 0; i < 1000; i++) {
    const len = 1 + (i % 600);
    await new Promise<void>((r) => sock.send(randomBytes(len), at.port, at.host, () => r()));
    // Sender and server share this event loop: pause now and then so the server reads
    // before the socket buffer overflows (a loss the kernel would cause, not the server).
    if (i % 50 === 49) await new Promise((r) => setTimeout(r, 5));
  }
  sock.close();
  const seen = () => dns.stats.queries - before.queries;
  for (let i = 0; i < 100 && seen() < 1000; i++) await new Promise((r) => setTimeout(r, 20));
  const r = decode(await udp(at, query(`web.default.svc.${Z}`, 'A')));
  assert.deepEqual(sorted(r.answers), ['A 127.96.0.20']);
  // Over TCP too, after random bytes on another connection.
  await tcp(at, randomBytes(300), 200);
  assert.deepEqual(sorted(decode(await tcp(at, query(`web.default.svc.${Z}`, 'A'))).answers), ['A 127.96.0.20']);
  assert.ok(seen() >= 900, `server saw ${seen()} packets`);
  assert.ok(dns.stats.dropped - before.dropped > 0 && dns.stats.formerr - before.formerr > 0);
});

test('TCP: pipelined queries on one connection are answered in order', async () => {
  const { connect } = await import('node:net');
  const sock = connect({ host: at.host, port: at.port });
  const names = ['web', 'multi', 'dual'].map((s) => `${s}.default.svc.${Z}`);
  const frames = names.map((n, i) => {
    const q = query(n, 'A', { id: 100 + i });
    const len = Buffer.alloc(2);
    len.writeUInt16BE(q.length);
    return Buffer.concat([len, q]);
  });
  const got = await new Promise<number[]>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const ids: number[] = [];
    const timer = setTimeout(() => reject(new Error('timeout')), 2000);
    sock.on('data', (c) => {
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        ids.push(decode(buf.subarray(2, 2 + buf.readUInt16BE(0))).id!);
        buf = buf.subarray(2 + buf.readUInt16BE(0));
      }
      if (ids.length === names.length) {
        clearTimeout(timer);
        resolve(ids);
      }
    });
    sock.write(Buffer.concat(frames));
  });
  sock.destroy();
  assert.deepEqual(got, [100, 101, 102]);
});

test('SERVFAIL over the wire until the index has synced', async () => {
  const cold = await startDNSWithIndex(staticIndex({ services, synced: false }), { listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [] });
  try {
    assert.equal(cold.ready(), false);
    assert.equal(decode(await udp(cold.addresses[0]!, query(`web.default.svc.${Z}`, 'A'))).rcode, 'SERVFAIL');
  } finally {
    await cold.stop();
  }
});

test('no upstream configured: other names are SERVFAIL, not forwarded anywhere', async () => {
  assert.equal(decode(await udp(at, query('example.com', 'A'))).rcode, 'SERVFAIL');
});

test('replayed answers: the same question is answered from encoded bytes until the index changes', async () => {
  const name = `cached.default.svc.${Z}`;
  index.upsertService(svc('default', 'cached', { clusterIP: '127.96.0.77', clusterIPs: ['127.96.0.77'], ports: [{ name: 'http', port: 80 }] }));
  const hits0 = dns.stats.cacheHits;
  assert.deepEqual(sorted(decode(await udp(at, query(name, 'A', { id: 1 }))).answers), ['A 127.96.0.77']);
  const again = decode(await udp(at, query(name, 'A', { id: 2 })));
  assert.equal(again.id, 2, 'the ID is the new query\'s');
  assert.deepEqual(sorted(again.answers), ['A 127.96.0.77']);
  assert.equal(dns.stats.cacheHits, hits0 + 1);
  index.upsertService(svc('default', 'cached', { clusterIP: '127.96.0.78', clusterIPs: ['127.96.0.78'], ports: [{ name: 'http', port: 80 }] }));
  assert.deepEqual(sorted(decode(await udp(at, query(name, 'A', { id: 3 }))).answers), ['A 127.96.0.78']);
  index.deleteService(svc('default', 'cached', {}));
  assert.equal(decode(await udp(at, query(name, 'A', { id: 4 }))).rcode, 'NXDOMAIN');
  // A different EDNS size is a different question to the cache.
  assert.equal(decode(await udp(at, query(`mid.default.svc.${Z}`, 'A', { edns: 512 }))).flag_tc, true);
  assert.equal(decode(await udp(at, query(`mid.default.svc.${Z}`, 'A', { edns: 4096 }))).flag_tc, false);
});

test('a listen port that cannot be had falls back to fallbackPort, and addresses says where', async () => {
  // Our own listener holds the port, as another server (or no privilege for 53) would refuse it.
  const other = await startDNSWithIndex(staticIndex({ services }), { listen: [{ host: '127.0.0.1', port: at.port }], upstreams: [], fallbackPort: 0 });
  try {
    const got = other.addresses[0]!;
    assert.equal(got.host, '127.0.0.1');
    assert.notEqual(got.port, at.port);
    assert.deepEqual(sorted(decode(await udp(got, query(`web.default.svc.${Z}`, 'A'))).answers), ['A 127.96.0.20']);
  } finally {
    await other.stop();
  }
  await assert.rejects(startDNSWithIndex(staticIndex({ services }), { listen: [{ host: '127.0.0.1', port: at.port }], upstreams: [] }), /EADDRINUSE/);
});

test('a change invalidates only the replies it can affect', async () => {
  const webQ = () => udp(at, query(`web.default.svc.${Z}`, 'A'));
  await webQ();
  const hits0 = dns.stats.cacheHits;
  // Another Service changing leaves web's reply replayable...
  index.upsertService(svc('default', 'other', { clusterIP: '127.96.0.90', clusterIPs: ['127.96.0.90'], ports: [{ name: 'http', port: 80 }] }));
  assert.deepEqual(sorted(decode(await webQ()).answers), ['A 127.96.0.20']);
  assert.equal(dns.stats.cacheHits, hits0 + 1);
  // ...while a change to a headless Service's slice shows at once.
  const hq = () => udp(at, query(`pnr.default.svc.${Z}`, 'A'));
  assert.equal(decode(await hq()).answers!.length, 2);
  index.upsertEndpointSlice(slice('default', 'pnr', 'pnr-abc', [ep('127.244.0.21', true)], [{ name: 'peer', port: 2380 }]));
  assert.deepEqual(sorted(decode(await hq()).answers), ['A 127.244.0.21']);
  // A slice moving to another Service updates both.
  index.upsertEndpointSlice(slice('default', 'noports', 'pnr-abc', [ep('127.244.0.21', true)], [{ name: 'peer', port: 2380 }]));
  assert.equal(decode(await hq()).rcode, 'NXDOMAIN');
  // A new namespace invalidates denials that depended on it not existing.
  const nsQ = () => udp(at, query(`x.brandnew.svc.${Z}`, 'A'));
  assert.equal(decode(await nsQ()).rcode, 'NXDOMAIN');
  index.upsertNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'brandnew' } } as never);
  index.upsertService(svc('brandnew', 'x', { clusterIP: '127.96.0.91', clusterIPs: ['127.96.0.91'], ports: [{ name: 'http', port: 80 }] }));
  assert.deepEqual(sorted(decode(await nsQ()).answers), ['A 127.96.0.91']);
  // Pods' names depend on their namespace only.
  assert.equal(decode(await udp(at, query(`127-0-0-9.brandnew.pod.${Z}`, 'A'))).rcode, 'NOERROR');
  index.deleteNamespace({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'brandnew' } } as never);
  assert.equal(decode(await udp(at, query(`127-0-0-9.brandnew.pod.${Z}`, 'A'))).rcode, 'NXDOMAIN');
});
