// Golden tests of the renderer against upstream's nftables layout (kube-proxy 1.32/1.33):
// upstream's TestOverallNFTablesRules compared line for line after sorting, upstream's hashes,
// and traffic-policy cases; no root needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashAndTruncate, nftablesMode, renderNftables, servicePortEndpointChainNameBase } from '../../../src/proxy/nftables/index.js';
import { endpointSelectionRules } from '../../../src/proxy/nftables/servicerules.js';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { baseRules, normalize, overallInput, overallServices, testNodeName } from './cases.js';

// Upstream's layout has a chain per endpoint: 'rules' keeps it (only the endpoint choice differs).
const opts = { serviceCIDRs: ['172.30.0.0/16'], endpointSelection: 'rules' as const };

test("upstream's TestOverallNFTablesRules, inline vmap style, is reproduced exactly", () => {
  const got = renderNftables(overallInput(), { ...opts, endpointSelection: 'vmap' });
  assert.deepEqual(normalize(got), normalize(baseRules + overallServices));
});

test('the issue example: ns4/svc4:p80 gets service-LAUZTJTB-ns4/svc4/tcp/p80 and both endpoint chains', () => {
  const got = renderNftables(overallInput(), opts);
  assert.equal(nftablesMode.name, 'nftables');
  assert.match(got, /^add chain ip kube-proxy service-LAUZTJTB-ns4\/svc4\/tcp\/p80$/m);
  assert.match(got, /^add element ip kube-proxy service-ips \{ 172\.30\.0\.44 \. tcp \. 80 : goto service-LAUZTJTB-ns4\/svc4\/tcp\/p80 \}$/m);
  assert.match(got, /^add chain ip kube-proxy endpoint-UNZV3OEC-ns4\/svc4\/tcp\/p80__10\.180\.0\.4\/80$/m);
  assert.match(got, /^add chain ip kube-proxy endpoint-5RFCDDV7-ns4\/svc4\/tcp\/p80__10\.180\.0\.5\/80$/m);
});

test("the 'rules' style differs from upstream only in the endpoint-choice rules", () => {
  const vmapLines = normalize(renderNftables(overallInput(), { ...opts, endpointSelection: 'vmap' }));
  const ruleLines = normalize(renderNftables(overallInput(), opts));
  const isChoice = (l: string) => / numgen random | goto endpoint-/.test(l) && l.startsWith('add rule') && !l.includes('@affinity');
  assert.deepEqual(ruleLines.filter((l) => !isChoice(l)), vmapLines.filter((l) => !isChoice(l)));
  const svc4 = 'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80';
  assert.ok(ruleLines.includes(`${svc4} numgen random mod 2 == 0 goto endpoint-UNZV3OEC-ns4/svc4/tcp/p80__10.180.0.4/80`));
  assert.ok(ruleLines.includes(`${svc4} goto endpoint-5RFCDDV7-ns4/svc4/tcp/p80__10.180.0.5/80`));
});

test("the 'rules' cascade picks every endpoint with probability 1/N, like the vmap", () => {
  for (const n of [1, 2, 3, 7, 10]) {
    const targets = Array.from({ length: n }, (_, i) => `e${i}`);
    const rules = endpointSelectionRules(targets, 'rules');
    let remaining = 1;
    const p = new Map<string, number>();
    for (const r of rules) {
      const m = /^numgen random mod (\d+) == 0 goto (\S+)$/.exec(r);
      if (m) {
        p.set(m[2]!, remaining / Number(m[1]));
        remaining -= remaining / Number(m[1]);
      } else {
        const g = /^goto (\S+)$/.exec(r);
        assert.ok(g, r);
        p.set(g[1]!, remaining);
        remaining = 0;
      }
    }
    for (const t of targets) assert.ok(Math.abs((p.get(t) ?? 0) - 1 / n) < 1e-12, `${n}: ${t}`);
  }
});

test("the default 'inline' style: Services without affinity DNAT in their own chain, hairpin pairs in a set; affinity keeps endpoint chains", () => {
  const ruleLines = normalize(renderNftables(overallInput(), opts));
  const { endpointSelection: _, ...defaults } = opts;
  const inline = normalize(renderNftables(overallInput(), defaults));
  assert.deepEqual(normalize(renderNftables(overallInput(), { ...defaults, endpointSelection: 'inline' })), inline, 'inline is the default');
  const svc4 = 'add rule ip kube-proxy service-LAUZTJTB-ns4/svc4/tcp/p80';
  assert.ok(inline.includes(`${svc4} ip daddr 172.30.0.44 tcp dport 80 ip saddr != 10.0.0.0/8 mark set mark or 0x4000`));
  assert.ok(inline.includes(`${svc4} numgen random mod 2 == 0 meta l4proto tcp dnat to 10.180.0.4:80`));
  assert.ok(inline.includes(`${svc4} meta l4proto tcp dnat to 10.180.0.5:80`));
  assert.ok(!inline.some((l) => l.includes('endpoint-') && l.includes('ns4/svc4')), 'no endpoint chain for svc4');
  assert.ok(inline.includes('add element ip kube-proxy hairpin-ips { 10.180.0.4 . 10.180.0.4 }'));
  assert.ok(inline.includes('add element ip kube-proxy hairpin-ips { 10.180.0.5 . 10.180.0.5 }'));
  assert.ok(inline.includes('add rule ip kube-proxy masquerading ct status dnat ip saddr . ip daddr @hairpin-ips mark set mark or 0x4000'));
  assert.ok(inline.some((l) => l.startsWith('add set ip kube-proxy hairpin-ips {')));
  assert.match(renderNftables(overallInput(), defaults), /^flush set ip kube-proxy hairpin-ips$/m, 'a full sync rebuilds the pairs');
  // svc5 has ClientIP affinity: its endpoint chains (where the affinity sets are updated) stay as in 'rules'.
  const svc5 = (ls: string[]) => ls.filter((l) => l.includes('ns5/svc5'));
  assert.deepEqual(svc5(inline), svc5(ruleLines));
  // Nothing else differs: the base, the maps' elements, the other chains.
  const differs = (l: string) => /hairpin-ips|numgen random|dnat to|mark-for-masquerade|mark set mark or|endpoint-/.test(l);
  assert.deepEqual(inline.filter((l) => !differs(l)), ruleLines.filter((l) => !differs(l)));
});

test("names use upstream's hashAndTruncate (IPv6 endpoints with ':' replaced by '.')", () => {
  assert.equal(hashAndTruncate('ns1/svc1/tcp/p80'), 'ULMVA6XW-ns1/svc1/tcp/p80');
  const spn = { namespace: 'ns1', name: 'svc1', port: 'p80', protocol: 'TCP' as const };
  assert.equal(servicePortEndpointChainNameBase(spn, 'fd00:10:180::1', 80), 'ZVRFLKHO-ns1/svc1/tcp/p80__fd00.10.180..1/80');
  assert.equal(servicePortEndpointChainNameBase(spn, 'fd00:10:180::2:1', 80), '2CRNCTTE-ns1/svc1/tcp/p80__fd00.10.180..2.1/80');
  const long = hashAndTruncate('x'.repeat(300));
  assert.equal(long.length, 240);
  assert.ok(long.endsWith('...'));
});

function one(spec: Parameters<typeof svc>[2], eps: ReturnType<typeof ep>[], status?: Parameters<typeof svc>[3]): string[] {
  const { sm, em } = buildMaps(testNodeName, [svc('ns1', 'svc1', { clusterIP: '172.30.1.1', clusterIPs: ['172.30.1.1'], ...spec }, status)], [
    slice('ns1', 'svc1', 'svc1-1', eps, [{ name: 'p80', port: 80, protocol: 'TCP' }]),
  ]);
  const all = normalize(renderNftables({ serviceMap: sm, endpointsMap: em, nodeName: testNodeName, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' }, opts));
  const base = new Set(normalize(baseRules));
  return all.filter((l) => !base.has(l));
}

const port80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const, targetPort: 80 }];

test('no endpoints: the ClusterIP is rejected through reject-chain, no chains (TestNoEndpointsReject)', () => {
  assert.deepEqual(one({ ports: port80 }, []), [
    'add element ip kube-proxy cluster-ips { 172.30.1.1 }',
    'add element ip kube-proxy no-endpoint-services { 172.30.1.1 . tcp . 80 comment "ns1/svc1:p80" : goto reject-chain }',
  ]);
});

test('internalTrafficPolicy Local without a local endpoint drops ClusterIP traffic (TestInternalTrafficPolicy)', () => {
  assert.deepEqual(one({ ports: port80, internalTrafficPolicy: 'Local' }, [ep('10.0.1.1', { nodeName: 'host1' })]), [
    'add element ip kube-proxy cluster-ips { 172.30.1.1 }',
    'add element ip kube-proxy no-endpoint-services { 172.30.1.1 . tcp . 80 comment "ns1/svc1:p80" : drop }',
  ]);
});

test('internalTrafficPolicy Local uses only the local endpoint, through a local- chain', () => {
  const got = one({ ports: port80, internalTrafficPolicy: 'Local' }, [ep('10.0.1.1', { nodeName: testNodeName }), ep('10.0.1.2', { nodeName: 'host1' })]);
  // 5TPGNJF2 is the hash upstream's TestInternalTrafficPolicy expects for this endpoint.
  const epChain = 'endpoint-5TPGNJF2-ns1/svc1/tcp/p80__10.0.1.1/80';
  assert.deepEqual(
    got,
    [
      'add element ip kube-proxy cluster-ips { 172.30.1.1 }',
      `add element ip kube-proxy service-ips { 172.30.1.1 . tcp . 80 : goto local-ULMVA6XW-ns1/svc1/tcp/p80 }`,
      `add chain ip kube-proxy ${epChain}`,
      `add chain ip kube-proxy local-ULMVA6XW-ns1/svc1/tcp/p80`,
      `add rule ip kube-proxy ${epChain} ip saddr 10.0.1.1 jump mark-for-masquerade`,
      `add rule ip kube-proxy ${epChain} meta l4proto tcp dnat to 10.0.1.1:80`,
      `add rule ip kube-proxy local-ULMVA6XW-ns1/svc1/tcp/p80 goto ${epChain}`,
      `add rule ip kube-proxy local-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.1.1 tcp dport 80 ip saddr != 10.0.0.0/8 jump mark-for-masquerade`,
    ].sort(),
  );
});

test('loadBalancerSourceRanges containing the node IP also allow the LoadBalancer IPs', () => {
  const got = one(
    { type: 'LoadBalancer', ports: [{ ...port80[0]!, nodePort: 30080 }], loadBalancerSourceRanges: ['192.168.0.0/24', 'bogus'] },
    [ep('10.0.1.1')],
    { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } },
  );
  assert.ok(got.includes('add rule ip kube-proxy firewall-ULMVA6XW-ns1/svc1/tcp/p80 ip saddr != { 192.168.0.0/24 , 5.6.7.8 } drop'), got.join('\n'));
  assert.ok(got.includes('add element ip kube-proxy firewall-ips { 5.6.7.8 . tcp . 80 comment "ns1/svc1:p80" : goto firewall-ULMVA6XW-ns1/svc1/tcp/p80 }'));
});
