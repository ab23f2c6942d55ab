// The nftables Provider against a fake nft: one transaction per sync, full syncs that remove
// stale chains and sets, partial syncs touching only the changed Services, recovery after a
// failed transaction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NftablesProvider } from '../../../src/proxy/nftables/index.js';
import { renderFull } from '../../../src/proxy/nftables/render.js';
import type { EndpointSelection } from '../../../src/proxy/nftables/servicerules.js';
import type { ProxyChanges } from '../../../src/proxy/provider.js';
import type { EndpointsMap, ServicePortMap } from '../../../src/proxy/types.js';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { overallInput, testNodeName } from './cases.js';
import { FakeNft } from './fake-executor.js';

const full: ProxyChanges = { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} };
const partial = (services: string[], endpoints: string[] = []): ProxyChanges => ({ full: false, services: new Set(services), endpoints: new Set(endpoints), nodeLabels: {} });

/** The 'rules' layout (a chain per endpoint, as upstream) unless the test asks for another. */
function provider(nft: FakeNft, more: { staleChainDelayMs?: number; now?: () => number; endpointSelection?: EndpointSelection } = {}) {
  return new NftablesProvider({ executor: nft, nodeName: testNodeName, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8', serviceCIDRs: ['172.30.0.0/16'], endpointSelection: 'rules', ...more });
}

/** Lines nft 1.0.6 can only send after dumping every chain of the ruleset (seconds at 100,000 chains). */
const dumping = (l: string) => /^(add rule|add element|delete element|delete chain|delete set) /.test(l);

/** The overall maps with svc4's endpoints replaced. */
function withSvc4Endpoints(ips: string[]): { sm: ServicePortMap; em: EndpointsMap } {
  const base = overallInput();
  const { em } = buildMaps(testNodeName, [svc('ns4', 'svc4', { clusterIP: '172.30.0.44', ports: [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 80 }] })], [
    slice('ns4', 'svc4', 'svc4-1', ips.map((ip) => ep(ip)), [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  ]);
  const endpointsMap = new Map(base.endpointsMap);
  endpointsMap.set('ns4/svc4:p80/TCP', em.get('ns4/svc4:p80/TCP') ?? []);
  return { sm: base.serviceMap, em: endpointsMap };
}

test('a full sync applies the whole rendering in one nft -f transaction', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  await p.start();
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  assert.equal(nft.applies(), 1);
  const tx = nft.calls.find((c) => c.argv.includes('-f'))!;
  assert.deepEqual(tx.argv, ['nft', '-f', '-']);
  assert.equal(tx.input, renderFull(input, { serviceCIDRs: ['172.30.0.0/16'], nodeLabels: {}, endpointSelection: 'rules' }));
  assert.ok(nft.chains.has('service-LAUZTJTB-ns4/svc4/tcp/p80'));
  assert.equal(p.lastSync?.full, true);
});

test('a partial sync rewrites only the changed Service, each chain declared with its rules; a stale chain is flushed and waits', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const { sm, em } = withSvc4Endpoints(['10.180.0.4', '10.180.0.6']);
  await p.sync(sm, em, partial([], ['ns4/svc4']));
  assert.equal(nft.applies(), 2);
  const tx = nft.lastTx();
  const svcChain = 'service-LAUZTJTB-ns4/svc4/tcp/p80';
  const gone = 'endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80';
  const added = 'endpoint-LAUTRNDE-ns4/svc4/tcp/p80__10.180.0.6/80';
  assert.ok(tx.every((l) => l.includes('ns4/svc4')), tx.join('\n'));
  assert.deepEqual(tx, [
    `flush chain ip kube-proxy ${svcChain}`,
    `flush chain ip kube-proxy ${gone}`,
    `add chain ip kube-proxy ${added}`,
    `add chain ip kube-proxy ${added} { ip saddr 10.180.0.6 jump mark-for-masquerade ; meta l4proto tcp dnat to 10.180.0.6:80 ; }`,
    `add chain ip kube-proxy ${svcChain} { ip daddr 172.30.0.44 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade ; numgen random mod 2 == 0 goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80 ; goto ${added} ; }`,
  ]);
  assert.ok(!tx.some(dumping), 'nothing that makes nft dump the ruleset');
  // The old endpoint's chain stays, empty, until it has waited staleChainDelayMs.
  assert.ok(nft.chains.has(gone));
  assert.equal(p.lastSync?.full, false);
});

test('stale chains are deleted by the first sync after staleChainDelayMs (a periodic resync too), all in one transaction', async () => {
  const nft = new FakeNft();
  let now = 1_000_000;
  const p = provider(nft, { staleChainDelayMs: 60_000, now: () => now });
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const first = withSvc4Endpoints(['10.180.0.4', '10.180.0.6']);
  await p.sync(first.sm, first.em, partial([], ['ns4/svc4']));
  now += 30_000;
  const second = withSvc4Endpoints(['10.180.0.6']);
  await p.sync(second.sm, second.em, partial([], ['ns4/svc4']));
  assert.ok(!nft.lastTx().some((l) => l.startsWith('delete')), 'the first stale chain has waited 30 s only');
  now += 30_000;
  const applies = nft.applies();
  await p.sync(second.sm, second.em, { ...partial([]), resync: true });
  assert.equal(nft.applies(), applies + 1, 'the resync deletes what waited long enough');
  assert.deepEqual(nft.lastTx().sort(), [
    'delete chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80',
    'delete chain ip kube-proxy endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80',
  ]);
  assert.ok(![...nft.chains].some((c) => c.includes('10.180.0.5/') || c.includes('10.180.0.4/')));
  await p.sync(second.sm, second.em, { ...partial([]), resync: true });
  assert.equal(nft.applies(), applies + 1, 'nothing left to delete, no transaction');
});

test('an endpoint coming back reuses its flushed chain; a full sync deletes the stale ones at once', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const back = 'endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80';
  const moved = withSvc4Endpoints(['10.180.0.4']);
  await p.sync(moved.sm, moved.em, partial([], ['ns4/svc4']));
  await p.sync(input.serviceMap, input.endpointsMap, partial([], ['ns4/svc4']));
  const tx = nft.lastTx();
  assert.ok(tx.includes(`flush chain ip kube-proxy ${back}`), 'flushed, not added again');
  assert.ok(!tx.includes(`add chain ip kube-proxy ${back}`));
  assert.ok(tx.some((l) => l.startsWith(`add chain ip kube-proxy ${back} { `)));
  await p.sync(moved.sm, moved.em, partial([], ['ns4/svc4']));
  await p.sync(moved.sm, moved.em, full);
  assert.ok(nft.lastTx().includes(`delete chain ip kube-proxy ${back}`));
  assert.ok(!nft.chains.has(back));
});

test('staleChainDelayMs 0 deletes stale chains in the sync that made them stale, after every reference is gone', async () => {
  const nft = new FakeNft();
  const p = provider(nft, { staleChainDelayMs: 0 });
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const { sm, em } = withSvc4Endpoints(['10.180.0.4', '10.180.0.6']);
  await p.sync(sm, em, partial([], ['ns4/svc4']));
  const tx = nft.lastTx();
  const gone = 'endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80';
  assert.equal(tx.at(-1), `delete chain ip kube-proxy ${gone}`);
  assert.ok(tx.indexOf(`flush chain ip kube-proxy ${gone}`) < tx.indexOf(`delete chain ip kube-proxy ${gone}`));
  assert.ok(!nft.chains.has(gone));
});

test("the default 'inline' layout: an endpoint change rewrites the Service chain alone, with no jump, and adds the new hairpin pair", async () => {
  const nft = new FakeNft();
  const p = provider(nft, { endpointSelection: 'inline' });
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const { sm, em } = withSvc4Endpoints(['10.180.0.4', '10.180.0.6']);
  await p.sync(sm, em, partial([], ['ns4/svc4']));
  const svcChain = 'service-LAUZTJTB-ns4/svc4/tcp/p80';
  assert.deepEqual(nft.lastTx(), [
    `flush chain ip kube-proxy ${svcChain}`,
    `add chain ip kube-proxy ${svcChain} { ip daddr 172.30.0.44 tcp dport 80 ip saddr != 10.0.0.0/8 mark set mark or 0x4000 ; numgen random mod 2 == 0 meta l4proto tcp dnat to 10.180.0.4:80 ; meta l4proto tcp dnat to 10.180.0.6:80 ; }`,
    'add set ip kube-proxy hairpin-ips { type ipv4_addr . ipv4_addr ; comment "Endpoints, each paired with itself: a packet DNATed back to its source is masqueraded" ; elements = { 10.180.0.6 . 10.180.0.6 } ; }',
  ]);
  // The pair of the endpoint that left stays: it can only ever match hairpin traffic.
  const back = withSvc4Endpoints([]);
  await p.sync(back.sm, back.em, partial([], ['ns4/svc4']));
  assert.ok(!nft.lastTx().some((l) => l.includes('hairpin-ips')), nft.lastTx().join('\n'));
  assert.ok(!nft.lastTx().some(dumping));
});

test('a partial sync with nothing changed runs no transaction', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  await p.sync(input.serviceMap, input.endpointsMap, partial(['ns1/svc1']));
  assert.equal(nft.applies(), 1);
});

test('losing every endpoint swaps service-ips for no-endpoint-services: service-ips flushed and declared again whole', async () => {
  const nft = new FakeNft();
  const p = provider(nft, { staleChainDelayMs: 0 });
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const fullTx = nft.lastTx();
  const { sm, em } = withSvc4Endpoints([]);
  await p.sync(sm, em, partial([], ['ns4/svc4']));
  const tx = nft.lastTx();
  assert.ok(tx.includes('flush map ip kube-proxy service-ips'));
  const redeclared = tx.find((l) => l.startsWith('add map ip kube-proxy service-ips {'))!;
  assert.ok(redeclared, tx.join('\n'));
  assert.ok(!redeclared.includes('ns4/svc4'), 'svc4 left service-ips');
  // Every other Service's element is declared again, exactly as the full sync added it.
  const others = fullTx.filter((l) => l.startsWith('add element ip kube-proxy service-ips {') && !l.includes('ns4/svc4'));
  assert.ok(others.length > 0);
  for (const l of others) assert.ok(redeclared.includes(l.slice('add element ip kube-proxy service-ips { '.length, -2)), l);
  assert.ok(tx.indexOf('flush map ip kube-proxy service-ips') < tx.indexOf(redeclared));
  const noEndpoints = tx.find((l) => l.startsWith('add map ip kube-proxy no-endpoint-services {'))!;
  assert.ok(noEndpoints?.includes(' elements = { 172.30.0.44 . tcp . 80 comment "ns4/svc4:p80" : goto reject-chain, '), tx.join('\n'));
  assert.ok(!tx.includes('flush map ip kube-proxy no-endpoint-services'), 'an addition alone does not rewrite the map');
  assert.ok(!tx.some((l) => l.includes('cluster-ips')), 'the ClusterIP stays in cluster-ips');
  assert.ok(![...nft.chains].some((c) => c.includes('ns4/svc4')));
});

test('a deleted Service loses its chains, affinity sets and elements', async () => {
  const nft = new FakeNft();
  const p = provider(nft, { staleChainDelayMs: 0 });
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const sm = new Map(input.serviceMap);
  sm.delete('ns5/svc5:p80/TCP');
  await p.sync(sm, input.endpointsMap, partial(['ns5/svc5']));
  const tx = nft.lastTx();
  const cluster = tx.find((l) => l.startsWith('add set ip kube-proxy cluster-ips {'));
  assert.ok(tx.includes('flush set ip kube-proxy cluster-ips') && cluster && !cluster.includes('172.30.0.45'), tx.join('\n'));
  assert.ok(tx.includes('flush map ip kube-proxy firewall-ips'));
  assert.ok(!tx.some((l) => l.startsWith('add map ip kube-proxy firewall-ips') && l.includes('5.6.7.8')));
  assert.ok(tx.includes('delete set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80'));
  // Deletions come after the flushes that drop every reference.
  assert.ok(tx.indexOf('delete set ip kube-proxy affinity-GTK6MW7G-ns5/svc5/tcp/p80__10.180.0.3/80') > tx.lastIndexOf('flush chain ip kube-proxy service-HVFWP5L3-ns5/svc5/tcp/p80'));
  assert.ok(![...nft.chains].some((c) => c.includes('ns5/svc5')));
  assert.ok(![...nft.sets].some((s) => s.includes('ns5/svc5')));
});

test('an element shared by two ports of one ClusterIP stays while either port needs it', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const ports = [
    { name: 'a', port: 80, protocol: 'TCP' as const, targetPort: 80 },
    { name: 'b', port: 81, protocol: 'TCP' as const, targetPort: 81 },
  ];
  const two = buildMaps(testNodeName, [svc('ns', 's', { clusterIP: '172.30.9.9', ports })], []);
  await p.sync(two.sm, two.em, full);
  const one = buildMaps(testNodeName, [svc('ns', 's', { clusterIP: '172.30.9.9', ports: [ports[0]!] })], []);
  await p.sync(one.sm, one.em, partial(['ns/s']));
  const tx = nft.lastTx();
  assert.ok(tx.includes('flush map ip kube-proxy no-endpoint-services'));
  const map = tx.find((l) => l.startsWith('add map ip kube-proxy no-endpoint-services'))!;
  assert.ok(map.includes('172.30.9.9 . tcp . 80 ') && !map.includes('172.30.9.9 . tcp . 81 '), map);
  assert.ok(!tx.some((l) => l.includes('cluster-ips')));
});

test('a failed transaction makes the sync throw and the next sync full, removing what it no longer wants', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  // Leftovers of an earlier run that our state knows nothing about.
  nft.chains.add('service-AAAAAAAA-old/svc/tcp/p');
  nft.sets.add('affinity-AAAAAAAA-old/svc/tcp/p__10.1.1.1/80');
  const { sm, em } = withSvc4Endpoints(['10.180.0.4']);
  nft.failNext = true;
  await assert.rejects(p.sync(sm, em, partial([], ['ns4/svc4'])), /nft -f failed/);
  await p.sync(sm, em, partial([]));
  const tx = nft.lastTx();
  assert.equal(tx[0], 'add table ip kube-proxy { comment "rules for kube-proxy" ; }');
  assert.ok(tx.includes('flush chain ip kube-proxy service-AAAAAAAA-old/svc/tcp/p'));
  assert.ok(tx.includes('delete chain ip kube-proxy service-AAAAAAAA-old/svc/tcp/p'));
  assert.ok(tx.includes('delete set ip kube-proxy affinity-AAAAAAAA-old/svc/tcp/p__10.1.1.1/80'));
  assert.ok(tx.includes('delete chain ip kube-proxy endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80'));
  assert.ok(!tx.some((l) => l.includes('not/ours') || l.includes('affinity-not-ours')), 'other tables are left alone');
  assert.equal(p.lastSync?.full, true);
});

test('a full sync from a trusted record lists nothing, yet still removes chains it no longer wants', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const lists = () => nft.calls.filter((c) => c.argv.includes('list')).length;
  assert.equal(lists(), 2, 'the first full sync lists chains and sets');
  const sm = new Map(input.serviceMap);
  sm.delete('ns1/svc1:p80/TCP');
  await p.sync(sm, input.endpointsMap, full);
  assert.equal(lists(), 2);
  assert.ok(nft.lastTx().includes('delete chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80'));
  assert.ok(!nft.chains.has('endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80'));
});

test('fullSyncPeriodMs forces a full sync when the last one is older', async () => {
  const nft = new FakeNft();
  const p = new NftablesProvider({ executor: nft, nodeName: testNodeName, nodeIPs: [], fullSyncPeriodMs: 0 });
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  await p.sync(input.serviceMap, input.endpointsMap, partial([]));
  assert.equal(p.lastSync?.full, true);
  assert.equal(nft.applies(), 2);
});

test('the periodic resync is partial while the table exists: one `nft list set` of nodeport-ips, no transaction when nothing changed', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  nft.calls = [];
  await p.sync(input.serviceMap, input.endpointsMap, { ...partial([]), resync: true });
  assert.equal(p.lastSync?.full, false);
  assert.equal(p.lastSync?.table, 'present');
  assert.deepEqual(nft.calls.map((c) => c.argv.join(' ')), ['nft list set ip kube-proxy nodeport-ips']);
});

test('a resync after the table was deleted behind our back (nft flush ruleset) is full and rebuilds it', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  nft.tableExists = false;
  nft.chains.clear();
  nft.sets.clear();
  nft.calls = [];
  await p.sync(input.serviceMap, input.endpointsMap, { ...partial([]), resync: true });
  assert.equal(p.lastSync?.full, true);
  assert.equal(p.lastSync?.table, 'missing');
  assert.equal(nft.applies(), 1);
  assert.ok(nft.tableExists);
  assert.ok(nft.chains.has('service-LAUZTJTB-ns4/svc4/tcp/p80'));
  // Our record described the deleted table, so the full sync listed rather than trusted it.
  assert.ok(nft.calls.some((c) => c.argv.join(' ') === 'nft --terse list chains ip'));
});

test('partial syncs check the table once checkPeriodMs has passed, even without a resync', async () => {
  const nft = new FakeNft();
  let t = 1_000_000;
  const p = new NftablesProvider({ executor: nft, nodeName: testNodeName, nodeIPs: [], now: () => t, checkPeriodMs: 10_000 });
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  t += 5_000;
  await p.sync(input.serviceMap, input.endpointsMap, partial([]));
  assert.equal(p.lastSync?.table, 'unchecked');
  nft.tableExists = false;
  t += 5_000;
  await p.sync(input.serviceMap, input.endpointsMap, partial([]));
  assert.equal(p.lastSync?.table, 'missing');
  assert.equal(p.lastSync?.full, true);
});

test('without fullSyncPeriodMs a full sync still happens after an hour (upstream FullSyncPeriod)', async () => {
  const nft = new FakeNft();
  let t = 1_000_000;
  const p = new NftablesProvider({ executor: nft, nodeName: testNodeName, nodeIPs: [], now: () => t, checkPeriodMs: 0 });
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  t += 3_599_000;
  await p.sync(input.serviceMap, input.endpointsMap, partial([]));
  assert.equal(p.lastSync?.full, false);
  t += 1_000;
  await p.sync(input.serviceMap, input.endpointsMap, partial([]));
  assert.equal(p.lastSync?.full, true);
});

test('cleanup deletes the table; stop leaves it and runs nothing', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const input = overallInput();
  await p.sync(input.serviceMap, input.endpointsMap, full);
  const calls = nft.calls.length;
  await p.stop();
  assert.equal(nft.calls.length, calls);
  await p.cleanup();
  assert.deepEqual(nft.calls.at(-1)?.argv, ['nft', 'delete', 'table', 'ip', 'kube-proxy']);
});

// Stale UDP conntrack entries: the same `conntrack -D` commands as the iptables mode (both go
// through src/proxy/conntrack.ts), run through the provider's executor after the transaction.
const udp53 = [{ name: 'dns', port: 53, protocol: 'UDP' as const }];
function udpMaps(endpoints: string[]): { sm: ServicePortMap; em: EndpointsMap } {
  return buildMaps(
    testNodeName,
    [
      svc('ns1', 'tcp', { clusterIP: '172.30.0.11', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] }),
      svc('ns1', 'dns', { type: 'NodePort', clusterIP: '172.30.0.12', externalIPs: ['192.168.99.1'], ports: [{ ...udp53[0]!, nodePort: 30053 }] }),
    ],
    [
      slice('ns1', 'tcp', 'tcp-1', [ep('10.180.0.1')], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
      slice('ns1', 'dns', 'dns-1', endpoints.map((ip) => ep(ip)), udp53),
    ],
  );
}
const conntrackCalls = (nft: FakeNft): string[] => nft.calls.filter((c) => c.argv[0] === 'conntrack').map((c) => c.argv.join(' '));

test('conntrack: an endpoint of a UDP Service going away deletes the entries DNATed to it, after the transaction', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const before = udpMaps(['10.180.0.2', '10.180.0.3']);
  await p.sync(before.sm, before.em, full);
  // The first sync compares with nothing, so every UDP Service with endpoints has its "first"
  // ones: entries a REJECT left before this proxy (re)started are cleared, as upstream does.
  assert.deepEqual(conntrackCalls(nft), ['conntrack -D --orig-dst 172.30.0.12 -p udp', 'conntrack -D --orig-dst 192.168.99.1 -p udp', 'conntrack -D -p udp --dport 30053']);
  nft.calls = [];
  const after = udpMaps(['10.180.0.2']);
  await p.sync(after.sm, after.em, partial([], ['ns1/dns']));
  assert.deepEqual(conntrackCalls(nft), [
    'conntrack -D --orig-dst 172.30.0.12 --dst-nat 10.180.0.3 -p udp',
    'conntrack -D --orig-dst 192.168.99.1 --dst-nat 10.180.0.3 -p udp',
    'conntrack -D -p udp --dport 30053 --dst-nat 10.180.0.3',
  ]);
  // The rules first: a datagram between the delete and the transaction would re-create the entry.
  assert.ok(nft.calls.findIndex((c) => c.argv.includes('-f')) < nft.calls.findIndex((c) => c.argv[0] === 'conntrack'));
  assert.equal(p.lastSync?.conntrackDeletes, 3);
});

test('conntrack: a UDP Service getting its first endpoint clears the entries its REJECT left', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const none = udpMaps([]);
  await p.sync(none.sm, none.em, full);
  assert.deepEqual(conntrackCalls(nft), []);
  nft.calls = [];
  const one = udpMaps(['10.180.0.2']);
  await p.sync(one.sm, one.em, partial([], ['ns1/dns']));
  assert.deepEqual(conntrackCalls(nft), ['conntrack -D --orig-dst 172.30.0.12 -p udp', 'conntrack -D --orig-dst 192.168.99.1 -p udp', 'conntrack -D -p udp --dport 30053']);
});

test('conntrack: an endpoint replaced by another deletes the old one only; TCP Services never', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const old = udpMaps(['10.180.0.2']);
  await p.sync(old.sm, old.em, full);
  nft.calls = [];
  const replaced = udpMaps(['10.180.0.9']);
  await p.sync(replaced.sm, replaced.em, partial([], ['ns1/dns']));
  assert.deepEqual(conntrackCalls(nft), [
    'conntrack -D --orig-dst 172.30.0.12 --dst-nat 10.180.0.2 -p udp',
    'conntrack -D --orig-dst 192.168.99.1 --dst-nat 10.180.0.2 -p udp',
    'conntrack -D -p udp --dport 30053 --dst-nat 10.180.0.2',
  ]);
  assert.ok(conntrackCalls(nft).every((c) => !c.includes('172.30.0.11')));
});

test('conntrack: a failed transaction deletes nothing, and the next successful sync deletes against the last applied state', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const two = udpMaps(['10.180.0.2', '10.180.0.3']);
  await p.sync(two.sm, two.em, full);
  nft.calls = [];
  nft.failNext = true;
  const one = udpMaps(['10.180.0.2']);
  await assert.rejects(p.sync(one.sm, one.em, partial([], ['ns1/dns'])), /nft -f failed/);
  // The kernel may still DNAT to 10.180.0.3: deleting its entries now would be undone.
  assert.deepEqual(conntrackCalls(nft), []);
  await p.sync(one.sm, one.em, partial([], ['ns1/dns']));
  assert.equal(p.lastSync?.full, true);
  assert.deepEqual(conntrackCalls(nft), [
    'conntrack -D --orig-dst 172.30.0.12 --dst-nat 10.180.0.3 -p udp',
    'conntrack -D --orig-dst 192.168.99.1 --dst-nat 10.180.0.3 -p udp',
    'conntrack -D -p udp --dport 30053 --dst-nat 10.180.0.3',
  ]);
});

test('conntrack: a failing delete ("0 flow entries" or not) does not fail the sync; conntrack: false runs none', async () => {
  const nft = new FakeNft();
  const p = provider(nft);
  const run = nft.run.bind(nft);
  nft.run = async (argv: string[], input?: string) => {
    if (argv[0] !== 'conntrack') return run(argv, input);
    nft.calls.push({ argv });
    return { code: 1, stdout: '', stderr: argv.includes('--dport') ? 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.' : 'conntrack: Operation failed: invalid parameters' };
  };
  const two = udpMaps(['10.180.0.2', '10.180.0.3']);
  await p.sync(two.sm, two.em, full);
  nft.calls = [];
  const one = udpMaps(['10.180.0.2']);
  await p.sync(one.sm, one.em, partial([], ['ns1/dns']));
  assert.equal(conntrackCalls(nft).length, 3);
  assert.equal(p.lastSync?.conntrackDeletes, 3);

  const off = new FakeNft();
  const q = new NftablesProvider({ executor: off, nodeName: testNodeName, nodeIPs: ['192.168.0.2'], conntrack: false });
  await q.sync(two.sm, two.em, full);
  await q.sync(one.sm, one.em, partial([], ['ns1/dns']));
  const none = udpMaps([]);
  await q.sync(none.sm, none.em, partial([], ['ns1/dns']));
  await q.sync(two.sm, two.em, partial([], ['ns1/dns']));
  assert.deepEqual(conntrackCalls(off), []);
});
