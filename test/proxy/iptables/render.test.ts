// Renderer details beyond the upstream goldens: probabilities, traffic policy Local with no local
// endpoints, upstream's large-cluster mode, the kube-proxy flags, and partial renders.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { renderIptables, type IptablesOptions } from '../../../src/proxy/iptables/render.js';
import type { Service } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';

const node = 'test-node';
const p80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const }];

function render(services: Service[], slices: EndpointSlice[], opts: IptablesOptions = { layout: 'upstream' }) {
  const { sm, em } = buildMaps(node, services, slices);
  return renderIptables({ serviceMap: sm, endpointsMap: em, nodeName: node, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' }, opts);
}

test('n endpoints: probabilities 1/n, 1/(n-1), … formatted %0.10f, the last rule unconditional', () => {
  const { text } = render([svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: p80 })], [slice('ns1', 'svc1', 's', [ep('10.0.1.1'), ep('10.0.1.2'), ep('10.0.1.3')], p80)]);
  const lines = text.split('\n').filter((l) => l.startsWith('-A KUBE-SVC-') && l.includes(' -> '));
  assert.equal(lines.length, 3);
  assert.match(lines[0]!, /"ns1\/svc1:p80 -> 10\.0\.1\.1:80" -m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-/);
  assert.match(lines[1]!, /"ns1\/svc1:p80 -> 10\.0\.1\.2:80" -m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/);
  assert.doesNotMatch(lines[2]!, /statistic/);
});

test('internalTrafficPolicy Local without local endpoints: DROP in filter KUBE-SERVICES, no nat chains', () => {
  const { text } = render(
    [svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: p80, internalTrafficPolicy: 'Local' })],
    [slice('ns1', 'svc1', 's', [ep('10.0.1.1', { nodeName: 'other' })], p80)],
  );
  assert.match(text, /^-A KUBE-SERVICES -m comment --comment "ns1\/svc1:p80 has no local endpoints" -m tcp -p tcp -d 172\.30\.0\.41 --dport 80 -j DROP$/m);
  assert.doesNotMatch(text, /KUBE-SVC-|KUBE-SVL-|KUBE-SEP-/);
});

test('internalTrafficPolicy Local with a local endpoint: ClusterIP goes to KUBE-SVL-', () => {
  const { text } = render(
    [svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: p80, internalTrafficPolicy: 'Local' })],
    [slice('ns1', 'svc1', 's', [ep('10.0.1.1', { nodeName: node }), ep('10.0.1.2', { nodeName: 'other' })], p80)],
  );
  assert.match(text, /^-A KUBE-SERVICES -m comment --comment "ns1\/svc1:p80 cluster IP" -m tcp -p tcp -d 172\.30\.0\.41 --dport 80 -j KUBE-SVL-/m);
  assert.equal(text.match(/^:KUBE-SEP-/gm)!.length, 1, 'only the local endpoint is reachable');
});

test('above 1000 endpoints upstream drops the per-endpoint comments', () => {
  const ips = Array.from({ length: 1001 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
  const r = render([svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: p80 })], [slice('ns1', 'svc1', 's', ips.map((ip) => ep(ip)), p80)]);
  assert.equal(r.largeClusterMode, true);
  assert.match(r.text, /^-A KUBE-SEP-\S+ -s 10\.1\.0\.0 -j KUBE-MARK-MASQ$/m);
  assert.match(r.text, /^-A KUBE-SVC-\S+ -m statistic --mode random --probability 0\.0009990010 -j KUBE-SEP-/m);
  assert.match(r.text, /^-A KUBE-SERVICES -m comment --comment "ns1\/svc1:p80 cluster IP"/m, 'KUBE-SERVICES keeps its comments');
});

test('flags: masquerade-all, localhost NodePorts off, explicit NodePort addresses, masquerade bit', () => {
  const s = [svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: p80 })];
  const e = [slice('ns1', 'svc1', 's', [ep('10.0.1.1')], p80)];
  const a = render(s, e, { masqueradeAll: true, localhostNodePorts: false, masqueradeBit: 15 }).text;
  assert.match(a, /^-A KUBE-SVC-\S+ -m comment --comment "ns1\/svc1:p80 cluster IP" -m tcp -p tcp -d 172\.30\.0\.41 --dport 80 -j KUBE-MARK-MASQ$/m);
  assert.match(a, /-m addrtype --dst-type LOCAL ! -d 127\.0\.0\.0\/8 -j KUBE-NODEPORTS$/m);
  assert.doesNotMatch(a, /KUBE-FIREWALL/);
  assert.match(a, /^-A KUBE-MARK-MASQ -j MARK --or-mark 0x8000$/m);
  const b = render(s, e, { nodePortAddresses: ['192.168.0.2'] }).text;
  assert.match(b, /^-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -d 192\.168\.0\.2 -j KUBE-NODEPORTS$/m);
  const c = render(s, e, { conntrackTCPLiberal: true }).text;
  assert.doesNotMatch(c, /INVALID/);
});

test('a partial render keeps every wanted chain active and writes only the changed Service', () => {
  const s = [svc('ns1', 'a', { clusterIP: '172.30.0.41', ports: p80 }), svc('ns1', 'b', { clusterIP: '172.30.0.42', ports: p80 })];
  const e = [slice('ns1', 'a', 'a', [ep('10.0.1.1')], p80), slice('ns1', 'b', 'b', [ep('10.0.2.1'), ep('10.0.2.2')], p80)];
  const full = render(s, e);
  const part = render(s, e, { layout: 'upstream', changedServices: new Set(['ns1/b']), existingNatChains: full.activeNatChains });
  assert.deepEqual([...part.activeNatChains].sort(), [...full.activeNatChains].sort());
  assert.deepEqual(part.deletedChains, []);
  assert.equal(part.text.match(/^:KUBE-SEP-/gm)!.length, 2);
  assert.equal(part.text.match(/^-A KUBE-SERVICES .*cluster IP/gm)!.length, 2);
});
