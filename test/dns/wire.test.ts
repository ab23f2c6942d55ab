// The wire layer on its own: acceptance rules, truncation arithmetic, and a deterministic fuzz
// of mutated queries through parse, the handler chain and encode — none of it may throw.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as dnsPacket from 'dns-packet';
import { encodeResponse, parseQuery, sizeLimit } from '../../src/dns/wire.js';
import { KubernetesHandler } from '../../src/dns/kubernetes/handler.js';
import { ForwardHandler } from '../../src/dns/forward/handler.js';
import { staticIndex } from '../../src/dns/memory-index.js';
import { chain, reply } from '../../src/dns/message.js';
import { endpointSlices, namespaces, pods, request, services } from './fixture.js';
import { query } from './client.js';

const remote = { address: '127.0.0.1', port: 1 };

test('size limits: 512 without EDNS, the client size within [512, 4096] with it, 65535 over TCP', () => {
  assert.equal(sizeLimit('udp', undefined), 512);
  assert.equal(sizeLimit('udp', { udpSize: 100, version: 0, dnssecOK: false }), 512);
  assert.equal(sizeLimit('udp', { udpSize: 1232, version: 0, dnssecOK: false }), 1232);
  assert.equal(sizeLimit('udp', { udpSize: 65000, version: 0, dnssecOK: false }), 4096);
  assert.equal(sizeLimit('tcp', undefined), 65535);
});

test('truncation drops additional records silently, answers with TC', () => {
  const req = request('x.example', 'SRV');
  const answers = Array.from({ length: 30 }, (_, i) => ({ name: 'x.example', type: 'SRV' as const, ttl: 5, data: { priority: 0, weight: 3, port: 80, target: `t${i}.example` } }));
  const extra = Array.from({ length: 30 }, (_, i) => ({ name: `t${i}.example`, type: 'A' as const, ttl: 5, data: '192.0.2.1' }));
  const onlyExtra = encodeResponse(req, reply('NOERROR', { answers: answers.slice(0, 5), additionals: extra }), undefined, 512);
  assert.equal(onlyExtra.truncated, false);
  assert.ok(onlyExtra.bytes.length <= 512);
  const d = dnsPacket.decode(onlyExtra.bytes);
  assert.equal(d.answers!.length, 5);
  assert.ok(d.additionals!.length < 30);
  const tooMany = encodeResponse(req, reply('NOERROR', { answers }), undefined, 512);
  assert.equal(tooMany.truncated, true);
  assert.equal(dnsPacket.decode(tooMany.bytes).flag_tc, true);
});

test('DO bit is echoed in the OPT of the reply', () => {
  const p = parseQuery(query('web.default.svc.cluster.local', 'A', { edns: 1232, dnssecOK: true }), 'udp', remote);
  assert.equal(p.kind, 'query');
  if (p.kind !== 'query') return;
  const out = dnsPacket.decode(encodeResponse(p.req, reply('NOERROR'), p.edns, 1232).bytes);
  const opt = out.additionals!.find((a) => a.type === 'OPT');
  assert.ok(opt && opt.type === 'OPT' && opt.flag_do);
});

test('fuzz: 20,000 mutated queries through parse, handlers and encode never throw', async () => {
  const serve = chain([new KubernetesHandler(staticIndex({ namespaces, services, endpointSlices, pods })), new ForwardHandler({ upstreams: [] })]);
  const seeds = [
    query('web.default.svc.cluster.local', 'A'),
    query('_http._tcp.headless.default.svc.cluster.local', 'SRV', { edns: 1232 }),
    query('20.0.96.127.in-addr.arpa', 'PTR'),
    query('my-service.prod.svc.cluster.local', 'CNAME', { edns: 4096, dnssecOK: true }),
  ];
  // A fixed xorshift generator: failures reproduce.
  let x = 0x9e3779b9;
  const rnd = (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  const kinds: Record<string, number> = {};
  for (let i = 0; i < 20_000; i++) {
    const msg = Buffer.from(seeds[rnd(seeds.length)]!);
    const flips = 1 + rnd(4);
    for (let f = 0; f < flips; f++) msg[rnd(msg.length)] = rnd(256);
    const cut = rnd(10) === 0 ? msg.subarray(0, rnd(msg.length)) : msg;
    const p = parseQuery(cut, rnd(2) ? 'udp' : 'tcp', remote);
    kinds[p.kind] = (kinds[p.kind] ?? 0) + 1;
    if (p.kind !== 'query') continue;
    const resp = await serve(p.req);
    const out = encodeResponse(p.req, resp, p.edns, sizeLimit(p.req.transport, p.edns));
    assert.ok(out.bytes.length <= sizeLimit(p.req.transport, p.edns));
  }
  assert.ok((kinds.query ?? 0) > 1000 && (kinds.reply ?? 0) > 100 && (kinds.drop ?? 0) > 100, JSON.stringify(kinds));
});
