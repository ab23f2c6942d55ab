// The kubernetes handler against the fixture, one row per question: {qname, qtype, rcode,
// answer}. A fall-through to the next handler shows as the answer "TXT next".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KubernetesHandler } from '../../src/dns/kubernetes/handler.js';
import { staticIndex } from '../../src/dns/memory-index.js';
import { chain, reply, type Handler } from '../../src/dns/message.js';
import { endpointSlices, namespaces, pods, request, services } from './fixture.js';
import { fmt, sorted } from './helpers.js';

const index = staticIndex({ namespaces, services, endpointSlices, pods });
const marker: Handler = {
  name: 'marker',
  serveDNS: async (req) => reply('NOERROR', { answers: [{ name: req.qname, type: 'TXT', ttl: 1, data: 'next' }] }),
};
const serve = chain([new KubernetesHandler(index, { chaseTimeoutMs: 200 }), marker]);

interface Row {
  qname: string;
  qtype: string;
  rcode: string;
  answer: string[];
  /** Expected additional records (only checked when given). */
  extra?: string[];
}

const Z = 'cluster.local';
const NEXT = ['TXT next'];
const rows: Row[] = [
  // Schema version.
  { qname: `dns-version.${Z}`, qtype: 'TXT', rcode: 'NOERROR', answer: ['TXT 1.1.0'] },
  { qname: `dns-version.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: [] },
  // ClusterIP Services.
  { qname: `web.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.96.0.20'] },
  { qname: `WEB.Default.SVC.Cluster.Local`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.96.0.20'] },
  { qname: `web.default.svc.${Z}`, qtype: 'AAAA', rcode: 'NOERROR', answer: [] },
  { qname: `web.default.svc.${Z}`, qtype: 'MX', rcode: 'NOERROR', answer: [] },
  { qname: `web.default.svc.${Z}`, qtype: 'CNAME', rcode: 'NOERROR', answer: [] },
  { qname: `dual.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.96.0.22'] },
  { qname: `dual.default.svc.${Z}`, qtype: 'AAAA', rcode: 'NOERROR', answer: ['AAAA fd00::22'] },
  { qname: `dual.default.svc.${Z}`, qtype: 'ANY', rcode: 'NOERROR', answer: ['A 127.96.0.22', 'AAAA fd00::22'] },
  { qname: `my-service.prod.svc.${Z}`, qtype: 'ANY', rcode: 'NOERROR', answer: ['CNAME my.database.example.com'] },
  { qname: Z, qtype: 'AXFR', rcode: 'REFUSED', answer: [] },
  // SRV for named ports, one target: the Service.
  { qname: `_http._tcp.web.default.svc.${Z}`, qtype: 'SRV', rcode: 'NOERROR', answer: [`SRV 0 100 80 web.default.svc.${Z}`], extra: [`A 127.96.0.20`] },
  { qname: `_https._tcp.multi.default.svc.${Z}`, qtype: 'SRV', rcode: 'NOERROR', answer: [`SRV 0 100 443 multi.default.svc.${Z}`] },
  { qname: `_metrics._udp.multi.default.svc.${Z}`, qtype: 'SRV', rcode: 'NOERROR', answer: [`SRV 0 100 9090 multi.default.svc.${Z}`] },
  { qname: `_metrics._tcp.multi.default.svc.${Z}`, qtype: 'SRV', rcode: 'NXDOMAIN', answer: [] },
  { qname: `_nope._tcp.multi.default.svc.${Z}`, qtype: 'SRV', rcode: 'NXDOMAIN', answer: [] },
  { qname: `_HTTP._TCP.multi.default.svc.${Z}`, qtype: 'SRV', rcode: 'NOERROR', answer: [`SRV 0 100 80 multi.default.svc.${Z}`] },
  { qname: `_http._tcp.multi.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.96.0.21'] },
  {
    qname: `multi.default.svc.${Z}`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`SRV 0 33 443 multi.default.svc.${Z}`, `SRV 0 33 80 multi.default.svc.${Z}`, `SRV 0 33 9090 multi.default.svc.${Z}`],
  },
  { qname: `unnamed.default.svc.${Z}`, qtype: 'SRV', rcode: 'NOERROR', answer: [`SRV 0 100 8080 unnamed.default.svc.${Z}`] },
  // Headless: one record per ready endpoint (the repeated one once), endpoint names, SRV per endpoint.
  { qname: `headless.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.244.0.11', 'A 127.244.0.12', 'A 127.244.0.13'] },
  { qname: `headless.default.svc.${Z}`, qtype: 'AAAA', rcode: 'NOERROR', answer: ['AAAA fd00::11'] },
  { qname: `web-0.headless.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.244.0.11'] },
  { qname: `web-0.headless.default.svc.${Z}`, qtype: 'AAAA', rcode: 'NOERROR', answer: ['AAAA fd00::11'] },
  { qname: `web-1.headless.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.244.0.12'] },
  { qname: `127-244-0-13.headless.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.244.0.13'] },
  { qname: `web-3.headless.default.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  { qname: `web-9.headless.default.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  {
    qname: `_http._tcp.headless.default.svc.${Z}`,
    qtype: 'SRV',
    rcode: 'NOERROR',
    answer: [`SRV 0 33 8080 127-244-0-13.headless.default.svc.${Z}`, `SRV 0 33 8080 web-0.headless.default.svc.${Z}`, `SRV 0 33 8080 web-1.headless.default.svc.${Z}`],
    extra: ['A 127.244.0.11', 'A 127.244.0.12', 'A 127.244.0.13', 'AAAA fd00::11'],
  },
  // publishNotReadyAddresses counts not-ready endpoints.
  { qname: `pnr.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.244.0.21', 'A 127.244.0.22'] },
  { qname: `_peer._tcp.pnr.default.svc.${Z}`, qtype: 'SRV', rcode: 'NOERROR', answer: [`SRV 0 50 2380 127-244-0-21.pnr.default.svc.${Z}`, `SRV 0 50 2380 127-244-0-22.pnr.default.svc.${Z}`] },
  // A headless Service without ports still has addresses, but no SRV.
  { qname: `noports.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.244.0.31'] },
  { qname: `noports.default.svc.${Z}`, qtype: 'SRV', rcode: 'NOERROR', answer: [] },
  // A headless Service with no ready endpoint does not exist, as in CoreDNS.
  { qname: `empty.default.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  // ExternalName: a CNAME, chased when the target is in the zone.
  { qname: `my-service.prod.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['CNAME my.database.example.com', 'TXT next'] },
  { qname: `my-service.prod.svc.${Z}`, qtype: 'CNAME', rcode: 'NOERROR', answer: ['CNAME my.database.example.com'] },
  { qname: `alias.default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.96.0.20', `CNAME web.default.svc.${Z}`] },
  { qname: `alias.default.svc.${Z}`, qtype: 'AAAA', rcode: 'NOERROR', answer: [`CNAME web.default.svc.${Z}`] },
  { qname: `x.my-service.prod.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  { qname: `ext-ip.default.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  // Pods (`pods insecure`): the address in the name, in any existing namespace.
  { qname: `127-244-0-11.default.pod.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.244.0.11'] },
  { qname: `127-244-9-9.default.pod.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.244.9.9'] },
  { qname: `fd00--11.default.pod.${Z}`, qtype: 'AAAA', rcode: 'NOERROR', answer: ['AAAA fd00::11'] },
  { qname: `127-244-0-11.default.pod.${Z}`, qtype: 'AAAA', rcode: 'NOERROR', answer: [] },
  { qname: `127-244-0-11.nowhere.pod.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  { qname: `web-0.default.pod.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  // Names that do not exist, and names that exist without records.
  { qname: `nope.default.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  { qname: `web.nowhere.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  { qname: `nowhere.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  { qname: `default.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: [] },
  { qname: `quiet.svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: [] },
  { qname: `svc.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: [] },
  { qname: `pod.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: [] },
  { qname: `foo.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  { qname: `a.b.c.web.default.svc.${Z}`, qtype: 'A', rcode: 'NXDOMAIN', answer: [] },
  // The zone apex and its name server.
  { qname: Z, qtype: 'SOA', rcode: 'NOERROR', answer: [`SOA ns.dns.${Z} hostmaster.${Z}`] },
  { qname: Z, qtype: 'NS', rcode: 'NOERROR', answer: [`NS ns.dns.${Z}`], extra: ['A 127.96.0.10'] },
  { qname: Z, qtype: 'A', rcode: 'NOERROR', answer: [] },
  { qname: `ns.dns.${Z}`, qtype: 'A', rcode: 'NOERROR', answer: ['A 127.96.0.10'] },
  // Reverse: ClusterIPs, endpoints (hostname or dashed address); unknown addresses fall through.
  { qname: '20.0.96.127.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: [`PTR web.default.svc.${Z}`] },
  { qname: '10.0.96.127.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: [`PTR kube-dns.kube-system.svc.${Z}`] },
  { qname: '11.0.244.127.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: [`PTR web-0.headless.default.svc.${Z}`] },
  { qname: '13.0.244.127.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: [`PTR 127-244-0-13.headless.default.svc.${Z}`] },
  { qname: '22.0.244.127.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: [`PTR 127-244-0-22.pnr.default.svc.${Z}`] },
  { qname: '14.0.244.127.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: NEXT },
  {
    qname: '2.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.f.ip6.arpa',
    qtype: 'PTR',
    rcode: 'NOERROR',
    answer: [`PTR dual.default.svc.${Z}`],
  },
  { qname: '4.3.2.1.in-addr.arpa', qtype: 'PTR', rcode: 'NOERROR', answer: NEXT },
  { qname: '20.0.96.127.in-addr.arpa', qtype: 'A', rcode: 'NOERROR', answer: NEXT },
  // Everything outside the zone goes on down the chain.
  { qname: 'example.com', qtype: 'A', rcode: 'NOERROR', answer: NEXT },
  { qname: 'cluster.local.example.com', qtype: 'A', rcode: 'NOERROR', answer: NEXT },
];

for (const row of rows) {
  test(`${row.qname} ${row.qtype} → ${row.rcode} ${row.answer.join(', ') || '(empty)'}`, async () => {
    const resp = await serve(request(row.qname, row.qtype));
    assert.equal(resp.rcode, row.rcode);
    assert.deepEqual(sorted(resp.answers), [...row.answer].sort());
    if (row.extra) assert.deepEqual(sorted(resp.additionals), [...row.extra].sort());
    if (row.answer === NEXT || row.rcode === 'REFUSED') return;
    assert.equal(resp.aa, true, 'cluster answers are authoritative');
    for (const rr of resp.answers) {
      if (rr.type !== 'TXT' || fmt(rr) !== 'TXT next') assert.equal((rr as { ttl?: number }).ttl, 5, `TTL of ${fmt(rr)}`);
      if (rr.name !== row.qname && rr.type !== 'A') continue;
    }
    // Owner names keep the question's spelling (the first record answers the question itself).
    if (resp.answers[0]) assert.equal(resp.answers[0].name, row.qname);
    if (row.answer.length === 0) {
      assert.deepEqual(sorted(resp.authorities), [`SOA ns.dns.${Z} hostmaster.${Z}`], 'NXDOMAIN and NODATA carry the SOA');
      const soa = resp.authorities[0]!;
      assert.ok(soa.type === 'SOA');
      assert.equal(soa.ttl, 5);
      assert.deepEqual({ ...soa.data, serial: 0 }, { mname: `ns.dns.${Z}`, rname: `hostmaster.${Z}`, serial: 0, refresh: 7200, retry: 1800, expire: 86400, minimum: 5 });
    }
  });
}

test('SERVFAIL for cluster names until the index has synced; other names still go on', async () => {
  const unsynced = chain([new KubernetesHandler(staticIndex({ services, synced: false })), marker]);
  assert.equal((await unsynced(request(`web.default.svc.${Z}`, 'A'))).rcode, 'SERVFAIL');
  assert.equal((await unsynced(request(`nope.default.svc.${Z}`, 'A'))).rcode, 'SERVFAIL');
  assert.equal((await unsynced(request('20.0.96.127.in-addr.arpa', 'PTR'))).rcode, 'SERVFAIL');
  assert.deepEqual(sorted((await unsynced(request('example.com', 'A'))).answers), NEXT);
});

test('--cluster-domain: records under another zone, cluster.local is just another name', async () => {
  const other = chain([new KubernetesHandler(index, { zone: 'kube.example.' }), marker]);
  assert.deepEqual(sorted((await other(request('web.default.svc.kube.example', 'A'))).answers), ['A 127.96.0.20']);
  assert.deepEqual(sorted((await other(request('dns-version.kube.example', 'TXT'))).answers), ['TXT 1.1.0']);
  assert.deepEqual(sorted((await other(request(`web.default.svc.${Z}`, 'A'))).answers), NEXT);
  assert.deepEqual(sorted((await other(request('20.0.96.127.in-addr.arpa', 'PTR'))).answers), ['PTR web.default.svc.kube.example']);
});

test('TTL option applies to records and the SOA minimum', async () => {
  const h = chain([new KubernetesHandler(index, { ttl: 30 }), marker]);
  const a = await h(request(`web.default.svc.${Z}`, 'A'));
  assert.equal((a.answers[0] as { ttl: number }).ttl, 30);
  const nx = await h(request(`nope.default.svc.${Z}`, 'A'));
  const soa = nx.authorities[0]!;
  assert.ok(soa.type === 'SOA');
  assert.equal(soa.data.minimum, 30);
});

test('pods verified: only addresses of pods in that namespace', async () => {
  const h = chain([new KubernetesHandler(index, { pods: 'verified' }), marker]);
  assert.equal((await h(request(`127-244-0-11.default.pod.${Z}`, 'A'))).rcode, 'NOERROR');
  assert.equal((await h(request(`127-244-9-9.default.pod.${Z}`, 'A'))).rcode, 'NXDOMAIN');
  assert.equal((await h(request(`127-244-0-11.prod.pod.${Z}`, 'A'))).rcode, 'NXDOMAIN');
});
