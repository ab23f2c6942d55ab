// Forwarding through the server to upstreams we run ourselves on 127.0.0.x: answers and
// denials cached (TTL capped and counting down), TCP retry on a truncated reply, the TC bit
// passed on when TCP is not to be had, ExternalName targets chased upstream, no open recursion.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BlockList } from 'node:net';
import type { Answer } from 'dns-packet';
import { startDNSWithIndex, type DNSHandle } from '../../src/dns/index.js';
import { ForwardHandler } from '../../src/dns/forward/handler.js';
import { ResponseCache } from '../../src/dns/forward/cache.js';
import { staticIndex } from '../../src/dns/memory-index.js';
import { reply } from '../../src/dns/message.js';
import { endpointSlices, namespaces, pods, request, services } from './fixture.js';
import { decode, query, tcp, udp, type Target } from './client.js';
import { startFakeUpstream, type FakeUpstream } from './fake-upstream.js';
import { sorted } from './helpers.js';

const bigTXT: Answer[] = Array.from({ length: 40 }, (_, i) => ({ name: 'big.example.com', type: 'TXT', ttl: 60, data: `chunk-${i}-${'x'.repeat(40)}` }));
const records: Record<string, Answer[]> = {
  'example.com A': [{ name: 'example.com', type: 'A', ttl: 60, data: '192.0.2.7' }],
  'short.example.com A': [{ name: 'short.example.com', type: 'A', ttl: 2, data: '192.0.2.8' }],
  'my.database.example.com A': [{ name: 'my.database.example.com', type: 'A', ttl: 60, data: '192.0.2.50' }],
  'big.example.com TXT': bigTXT,
};

let up: FakeUpstream;
let udpOnly: FakeUpstream;
let dns: DNSHandle;
let viaUdpOnly: DNSHandle;
let at: Target;

before(async () => {
  up = await startFakeUpstream({ host: '127.0.0.2', records });
  udpOnly = await startFakeUpstream({ host: '127.0.0.3', records, tcp: false });
  const index = staticIndex({ namespaces, services, endpointSlices, pods });
  dns = await startDNSWithIndex(index, { listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [`${up.host}:${up.port}`] });
  viaUdpOnly = await startDNSWithIndex(index, { listen: [{ host: '127.0.0.1', port: 0 }], upstreams: [`${udpOnly.host}:${udpOnly.port}`] });
  at = dns.addresses[0]!;
});
after(async () => {
  await dns.stop();
  await viaUdpOnly.stop();
  await up.stop();
  await udpOnly.stop();
});

test('other names are forwarded, then served from the cache with the TTL capped at 30 s', async () => {
  const r = decode(await udp(at, query('example.com', 'A')));
  assert.equal(r.rcode, 'NOERROR');
  assert.ok(r.flag_ra && !r.flag_aa);
  assert.deepEqual(sorted(r.answers), ['A 192.0.2.7']);
  const again = decode(await udp(at, query('EXAMPLE.com', 'A')));
  assert.deepEqual(sorted(again.answers), ['A 192.0.2.7']);
  assert.equal(again.answers![0]!.name, 'EXAMPLE.com', 'the question as asked');
  assert.ok((again.answers![0] as { ttl: number }).ttl <= 30);
  assert.equal(up.seen.get('example.com A'), 1, 'second answer came from the cache');
});

test('denials are cached too (NXDOMAIN with the SOA)', async () => {
  for (let i = 0; i < 3; i++) {
    const r = decode(await udp(at, query('nothing.example.com', 'A')));
    assert.equal(r.rcode, 'NXDOMAIN');
    assert.deepEqual(sorted(r.authorities), ['SOA ns.example.com hostmaster.example.com']);
  }
  assert.equal(up.seen.get('nothing.example.com A'), 1);
});

test('an answer past its TTL is asked again', async () => {
  await udp(at, query('short.example.com', 'A'));
  await new Promise((r) => setTimeout(r, 2100));
  await udp(at, query('short.example.com', 'A'));
  assert.equal(up.seen.get('short.example.com A'), 2);
});

test('a truncated upstream reply is retried over TCP; the client gets TC only if it cannot all fit its own size', async () => {
  const viaUDP = decode(await udp(at, query('big.example.com', 'TXT', { edns: 4096 })));
  assert.equal(viaUDP.flag_tc, false);
  assert.equal(viaUDP.answers!.length, bigTXT.length);
  assert.equal(up.seen.get('big.example.com TXT'), 2, 'once over UDP (truncated), once over TCP');
  const small = decode(await udp(at, query('big.example.com', 'TXT')));
  assert.equal(small.flag_tc, true, 'does not fit 512 bytes');
  const overTCP = decode(await tcp(at, query('big.example.com', 'TXT')));
  assert.equal(overTCP.answers!.length, bigTXT.length);
});

test("upstream's TC bit is passed on when TCP to the upstream fails", async () => {
  const r = decode(await udp(viaUdpOnly.addresses[0]!, query('big.example.com', 'TXT', { edns: 4096 })));
  assert.equal(r.flag_tc, true);
  assert.equal(r.rcode, 'NOERROR');
});

test("the seed's ExternalName: CNAME to my.database.example.com, chased through the upstream", async () => {
  const r = decode(await udp(at, query('my-service.prod.svc.cluster.local', 'A')));
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(sorted(r.answers), ['A 192.0.2.50', 'CNAME my.database.example.com']);
});

test('an upstream that does not answer: SERVFAIL after the timeout, the next upstream is tried', async () => {
  const silent = new ForwardHandler({ upstreams: ['127.0.0.9:9'], timeoutMs: 200, cache: false });
  const t0 = Date.now();
  assert.equal((await silent.serveDNS(request('example.com', 'A'), async () => reply('SERVFAIL'))).rcode, 'SERVFAIL');
  assert.ok(Date.now() - t0 < 2000);
  const second = new ForwardHandler({ upstreams: ['127.0.0.9:9', `${up.host}:${up.port}`], timeoutMs: 200, cache: false });
  assert.deepEqual(sorted((await second.serveDNS(request('example.com', 'A'), async () => reply('SERVFAIL'))).answers), ['A 192.0.2.7']);
});

test('recursion only for allowed clients: no open resolver', async () => {
  const fwd = new ForwardHandler({ upstreams: [`${up.host}:${up.port}`] });
  const next = async () => reply('SERVFAIL');
  assert.equal((await fwd.serveDNS(request('example.com', 'A', { remote: { address: '8.8.8.8', port: 1 } }), next)).rcode, 'REFUSED');
  assert.equal((await fwd.serveDNS(request('example.com', 'A', { remote: { address: '10.244.1.5', port: 1 } }), next)).rcode, 'NOERROR');
  const onlyLo = new BlockList();
  onlyLo.addSubnet('127.0.0.0', 8, 'ipv4');
  const strict = new ForwardHandler({ upstreams: [`${up.host}:${up.port}`], allow: onlyLo });
  assert.equal((await strict.serveDNS(request('example.com', 'A', { remote: { address: '10.244.1.5', port: 1 } }), next)).rcode, 'REFUSED');
});

test('cache: negative TTL is min(SOA TTL, SOA minimum), capped; TTLs count down', () => {
  let now = 1_000_000;
  const c = new ResponseCache({ now: () => now, maxTTL: 30, maxNegativeTTL: 30 });
  const soa: Answer = { name: 'x', type: 'SOA', ttl: 60, data: { mname: 'a', rname: 'b', minimum: 10 } };
  c.set('nx', reply('NXDOMAIN', { authorities: [soa] }));
  c.set('a', reply('NOERROR', { answers: [{ name: 'a', type: 'A', ttl: 100, data: '192.0.2.1' }] }));
  c.set('fail', reply('SERVFAIL'));
  c.set('tc', reply('NOERROR', { tc: true, answers: [{ name: 'a', type: 'A', ttl: 100, data: '192.0.2.1' }] }));
  assert.equal(c.get('fail'), undefined);
  assert.equal(c.get('tc'), undefined);
  now += 9_000;
  assert.ok(c.get('nx'));
  assert.equal((c.get('a')!.answers[0] as { ttl: number }).ttl, 21);
  now += 2_000;
  assert.equal(c.get('nx'), undefined);
  now += 20_000;
  assert.equal(c.get('a'), undefined, 'capped at 30 s though the record said 100');
});
