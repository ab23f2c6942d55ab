// Golden tests of the IPVS renderer against upstream's pkg/proxy/ipvs/proxier_test.go
// expectations (TestNodePortIPv4, TestSessionAffinity, TestLoadBalancer, TestOnlyLocalNodePorts,
// TestLoadBalancerSourceRanges, TestAcceptIPVSTraffic, TestHealthCheckNodePort): the virtual
// servers, their real servers, the ipset members and the order of rules in each chain.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { buildIPVSPlan, ipvsMode, renderIPVSAdm, renderIPVSIptables, type IPVSPlan } from '../../../src/proxy/ipvs/index.js';
import type { Service } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import type { RulesInput } from '../../../src/proxy/rules.js';

const node = 'test-node';
const nodeIP = '100.101.102.103';

function input(services: Service[], slices: EndpointSlice[], nodeIPs = [nodeIP], clusterCIDR?: string): RulesInput {
  const { sm, em } = buildMaps(node, services, slices);
  return { serviceMap: sm, endpointsMap: em, nodeName: node, nodeIPs, ...(clusterCIDR ? { clusterCIDR } : {}) };
}

/** "VIP:port/PROTO" → real servers "ip:port", as upstream's FakeIPVS Destinations. */
function ipvsState(plan: IPVSPlan): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const vs of plan.virtualServers) out[`${vs.address}:${vs.port}/${vs.protocol}`] = vs.realServers.map((r) => `${r.ip}:${r.port}`);
  return out;
}

function members(plan: IPVSPlan, set: string): string[] {
  return [...(plan.ipsets.get(set) ?? [])].sort();
}

/** Upstream's checkIptables view: per chain, each rule's jump target and the set it matches. */
function chains(iptables: string): Map<string, { jump: string; set: string }[]> {
  const out = new Map<string, { jump: string; set: string }[]>();
  for (const line of iptables.split('\n')) {
    const m = /^-A (\S+) .*-j (\S+)/.exec(line);
    if (!m) continue;
    const set = /--match-set (\S+)/.exec(line)?.[1] ?? '';
    const list = out.get(m[1]!) ?? [];
    list.push({ jump: m[2]!, set });
    out.set(m[1]!, list);
  }
  return out;
}

function iptablesOf(plan: IPVSPlan, clusterCIDR?: string): string {
  return renderIPVSIptables({ ipsets: plan.ipsets, lbNoNodeAccess: plan.lbNoNodeAccess, ...(clusterCIDR ? { clusterCIDR } : {}) });
}

const nodePortSvc = (protocol: 'TCP' | 'UDP' | 'SCTP', extra: Partial<Service['spec']> = {}) =>
  svc('ns1', 'svc1', { type: 'NodePort', clusterIP: '10.20.30.41', ports: [{ name: 'p80', port: 80, protocol, nodePort: 3001 }], ...extra });
const p80 = (protocol: 'TCP' | 'UDP' | 'SCTP') => [{ name: 'p80', port: 80, protocol }];

test('issue 6 example: ns4/svc4:p80 ClusterIP 172.30.0.44 with endpoints 10.180.0.4/.5', () => {
  const out = ipvsMode.render(
    input(
      [svc('ns4', 'svc4', { clusterIP: '172.30.0.44', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] })],
      [slice('ns4', 'svc4', 'svc4-1', [ep('10.180.0.4'), ep('10.180.0.5')], p80('TCP'))],
    ),
  );
  const ipvsSection = out.split('# ==== IPVS virtual and real servers (ipvsadm --restore) ====\n')[1]!.split('\n# ====')[0]!;
  assert.equal(
    ipvsSection,
    ['-A -t 172.30.0.44:80 -s rr', '-a -t 172.30.0.44:80 -r 10.180.0.4:80 -m -w 1', '-a -t 172.30.0.44:80 -r 10.180.0.5:80 -m -w 1', ''].join('\n'),
  );
  assert.match(out, /^ip addr add 172\.30\.0\.44\/32 dev kube-ipvs0$/m);
  assert.match(out, /^add KUBE-CLUSTER-IP 172\.30\.0\.44,tcp:80$/m);
  assert.match(out, /^add KUBE-IPVS-IPS 172\.30\.0\.44$/m);
  assert.match(out, /^-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip \+ port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP src,dst -j KUBE-MARK-MASQ$/m);
  // Four sections, in order, each under its header.
  const headers = [...out.matchAll(/^# ==== (.*) ====$/gm)].map((m) => m[1]);
  assert.deepEqual(headers, [
    'kube-ipvs0 dummy device: every address IPVS serves (ip)',
    'ipsets (ipset restore -exist)',
    'IPVS virtual and real servers (ipvsadm --restore)',
    'iptables rules (iptables-restore --noflush)',
  ]);
});

test('TestNodePortIPv4: 1 service with node port, has endpoints (IPv6 slice ignored)', () => {
  const v6: EndpointSlice = { ...slice('ns1', 'svc1', 'svc1-2', [ep('1002:ab8::2:10')], p80('TCP')), addressType: 'IPv6' };
  const plan = buildIPVSPlan(input([nodePortSvc('TCP')], [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1')], p80('TCP')), v6]));
  assert.deepEqual(ipvsState(plan), {
    '10.20.30.41:80/TCP': ['10.180.0.1:80'],
    '100.101.102.103:3001/TCP': ['10.180.0.1:80'],
  });
  for (const vs of plan.virtualServers) assert.equal(vs.scheduler, 'rr');
  assert.deepEqual(members(plan, 'KUBE-NODE-PORT-TCP'), ['3001']);
  // Node IPs are never bound to the dummy device.
  assert.deepEqual(plan.bindAddresses, ['10.20.30.41']);
});

test('TestNodePortIPv4: 1 UDP service with node port: ipset and chains', () => {
  const plan = buildIPVSPlan(input([nodePortSvc('UDP')], [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1')], p80('UDP'))]));
  assert.deepEqual(ipvsState(plan), {
    '10.20.30.41:80/UDP': ['10.180.0.1:80'],
    '100.101.102.103:3001/UDP': ['10.180.0.1:80'],
  });
  assert.deepEqual(members(plan, 'KUBE-NODE-PORT-UDP'), ['3001']);
  const c = chains(iptablesOf(plan));
  assert.deepEqual(c.get('KUBE-NODE-PORT'), [
    { jump: 'KUBE-MARK-MASQ', set: 'KUBE-NODE-PORT-UDP' },
    { jump: 'ACCEPT', set: 'KUBE-HEALTH-CHECK-NODE-PORT' },
  ]);
  assert.deepEqual(c.get('KUBE-SERVICES'), [
    { jump: 'RETURN', set: '' },
    { jump: 'KUBE-MARK-MASQ', set: 'KUBE-CLUSTER-IP' },
    { jump: 'KUBE-NODE-PORT', set: '' },
    { jump: 'ACCEPT', set: 'KUBE-CLUSTER-IP' },
  ]);
  assert.match(renderIPVSAdm(plan.virtualServers), /^-A -u 100\.101\.102\.103:3001 -s rr$/m);
});

test('TestNodePortIPv4: service has node port but no endpoints: virtual servers without real servers', () => {
  const plan = buildIPVSPlan(input([nodePortSvc('TCP')], []));
  assert.deepEqual(ipvsState(plan), { '10.20.30.41:80/TCP': [], '100.101.102.103:3001/TCP': [] });
  assert.equal(renderIPVSAdm(plan.virtualServers), '-A -t 10.20.30.41:80 -s rr\n-A -t 100.101.102.103:3001 -s rr\n');
});

test('TestNodePortIPv4: SCTP node port on a node with multiple node IPs uses hash:ip,port per node IP', () => {
  const ips = ['100.101.102.103', '100.101.102.104', '100.101.102.105'];
  const plan = buildIPVSPlan(input([nodePortSvc('SCTP')], [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1')], p80('SCTP'))], ips));
  assert.deepEqual(ipvsState(plan), {
    '10.20.30.41:80/SCTP': ['10.180.0.1:80'],
    '100.101.102.103:3001/SCTP': ['10.180.0.1:80'],
    '100.101.102.104:3001/SCTP': ['10.180.0.1:80'],
    '100.101.102.105:3001/SCTP': ['10.180.0.1:80'],
  });
  assert.deepEqual(members(plan, 'KUBE-NODE-PORT-SCTP-HASH'), ips.map((ip) => `${ip},sctp:3001`));
  assert.match(renderIPVSAdm(plan.virtualServers), /^-A --sctp-service 100\.101\.102\.104:3001 -s rr$/m);
});

test('TestNodePortIPv4: SCTP with externalTrafficPolicy Local: node port reaches only the local endpoint', () => {
  const plan = buildIPVSPlan(
    input(
      [nodePortSvc('SCTP', { externalTrafficPolicy: 'Local' })],
      [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1', { nodeName: node }), ep('10.180.1.1', { nodeName: 'otherHost' })], p80('SCTP'))],
    ),
  );
  assert.deepEqual(ipvsState(plan), {
    '10.20.30.41:80/SCTP': ['10.180.0.1:80', '10.180.1.1:80'],
    '100.101.102.103:3001/SCTP': ['10.180.0.1:80'],
  });
  assert.deepEqual(members(plan, 'KUBE-NODE-PORT-SCTP-HASH'), ['100.101.102.103,sctp:3001']);
  assert.deepEqual(members(plan, 'KUBE-NODE-PORT-LOCAL-SCTP-HASH'), ['100.101.102.103,sctp:3001']);
  // The local endpoint is hairpinned through KUBE-LOOP-BACK.
  assert.deepEqual(members(plan, 'KUBE-LOOP-BACK'), ['10.180.0.1,sctp:80,10.180.0.1']);
  assert.deepEqual(chains(iptablesOf(plan)).get('KUBE-NODE-PORT'), [
    { jump: 'RETURN', set: 'KUBE-NODE-PORT-LOCAL-SCTP-HASH' },
    { jump: 'KUBE-MARK-MASQ', set: 'KUBE-NODE-PORT-SCTP-HASH' },
    { jump: 'ACCEPT', set: 'KUBE-HEALTH-CHECK-NODE-PORT' },
  ]);
});

test('TestOnlyLocalNodePorts: TCP Local node port in both node-port sets, RETURN before MARK-MASQ', () => {
  const plan = buildIPVSPlan(
    input(
      [nodePortSvc('TCP', { externalTrafficPolicy: 'Local' })],
      [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1', { nodeName: node }), ep('10.180.1.1', { nodeName: 'other-node' })], p80('TCP'))],
    ),
  );
  assert.deepEqual(ipvsState(plan)['100.101.102.103:3001/TCP'], ['10.180.0.1:80']);
  assert.deepEqual(members(plan, 'KUBE-NODE-PORT-TCP'), ['3001']);
  assert.deepEqual(members(plan, 'KUBE-NODE-PORT-LOCAL-TCP'), ['3001']);
  const out = iptablesOf(plan);
  assert.match(out, /^-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port with externalTrafficPolicy=local" -m set --match-set KUBE-NODE-PORT-LOCAL-TCP dst -j RETURN$/m);
  assert.match(out, /^-A KUBE-NODE-PORT -p tcp -m comment --comment "Kubernetes nodeport TCP port for masquerade purpose" -m set --match-set KUBE-NODE-PORT-TCP dst -j KUBE-MARK-MASQ$/m);
});

test('Local policy with no local endpoint falls back to cluster endpoints (upstream PR 97081)', () => {
  const plan = buildIPVSPlan(
    input([nodePortSvc('TCP', { externalTrafficPolicy: 'Local' })], [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.1.1', { nodeName: 'other-node' })], p80('TCP'))]),
  );
  assert.deepEqual(ipvsState(plan)['100.101.102.103:3001/TCP'], ['10.180.1.1:80']);
});

test('TestSessionAffinity: ClientIP affinity makes every virtual server persistent with the timeout', () => {
  const s = nodePortSvc('TCP', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } });
  const plan = buildIPVSPlan(input([s], [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1')], p80('TCP'))]));
  assert.deepEqual(
    plan.virtualServers.map((v) => v.persistentTimeout),
    [10800, 10800],
  );
  assert.equal(
    renderIPVSAdm(plan.virtualServers),
    [
      '-A -t 10.20.30.41:80 -s rr -p 10800',
      '-a -t 10.20.30.41:80 -r 10.180.0.1:80 -m -w 1',
      '-A -t 100.101.102.103:3001 -s rr -p 10800',
      '-a -t 100.101.102.103:3001 -r 10.180.0.1:80 -m -w 1',
      '',
    ].join('\n'),
  );
});

test('TestLoadBalancer: LB VIP gets a virtual server, KUBE-LOAD-BALANCER member and chain', () => {
  const s = svc(
    'ns1',
    'svc1',
    { type: 'LoadBalancer', clusterIP: '10.20.30.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }] },
    { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
  );
  const plan = buildIPVSPlan(input([s], [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1')], p80('TCP'))]));
  assert.deepEqual(ipvsState(plan), {
    '10.20.30.41:80/TCP': ['10.180.0.1:80'],
    '1.2.3.4:80/TCP': ['10.180.0.1:80'],
    '100.101.102.103:3001/TCP': ['10.180.0.1:80'],
  });
  assert.deepEqual(members(plan, 'KUBE-LOAD-BALANCER'), ['1.2.3.4,tcp:80']);
  assert.deepEqual(plan.bindAddresses, ['1.2.3.4', '10.20.30.41']);
  const c = chains(iptablesOf(plan));
  assert.deepEqual(c.get('KUBE-SERVICES'), [
    { jump: 'RETURN', set: '' },
    { jump: 'KUBE-LOAD-BALANCER', set: 'KUBE-LOAD-BALANCER' },
    { jump: 'KUBE-MARK-MASQ', set: 'KUBE-CLUSTER-IP' },
    { jump: 'KUBE-NODE-PORT', set: '' },
    { jump: 'ACCEPT', set: 'KUBE-CLUSTER-IP' },
    { jump: 'ACCEPT', set: 'KUBE-LOAD-BALANCER' },
  ]);
  assert.deepEqual(c.get('KUBE-LOAD-BALANCER'), [{ jump: 'KUBE-MARK-MASQ', set: '' }]);
});

test('TestLoadBalancerSourceRanges: FW and source-CIDR sets, firewall chains, node access dropped', () => {
  const s = svc(
    'ns1',
    'svc1',
    { type: 'LoadBalancer', clusterIP: '10.20.30.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }], loadBalancerSourceRanges: ['10.0.0.0/8'] },
    { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
  );
  const plan = buildIPVSPlan(input([s], [slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1')], p80('TCP'))]));
  assert.deepEqual(ipvsState(plan)['1.2.3.4:80/TCP'], ['10.180.0.1:80']);
  assert.deepEqual(members(plan, 'KUBE-LOAD-BALANCER'), ['1.2.3.4,tcp:80']);
  assert.deepEqual(members(plan, 'KUBE-LOAD-BALANCER-FW'), ['1.2.3.4,tcp:80']);
  assert.deepEqual(members(plan, 'KUBE-LOAD-BALANCER-SOURCE-CIDR'), ['1.2.3.4,tcp:80,10.0.0.0/8']);
  assert.deepEqual(members(plan, 'KUBE-LOAD-BALANCER-SOURCE-IP'), []);
  const out = iptablesOf(plan);
  const c = chains(out);
  assert.deepEqual(c.get('KUBE-PROXY-FIREWALL'), [{ jump: 'KUBE-SOURCE-RANGES-FIREWALL', set: 'KUBE-LOAD-BALANCER-FW' }]);
  assert.deepEqual(c.get('KUBE-SOURCE-RANGES-FIREWALL'), [
    { jump: 'RETURN', set: 'KUBE-LOAD-BALANCER-SOURCE-CIDR' },
    { jump: 'DROP', set: '' },
  ]);
  assert.match(out, /^-A KUBE-IPVS-OUT-FILTER -s 1\.2\.3\.4 -m ipvs --vaddr 1\.2\.3\.4 --vproto tcp --vport 80 -j DROP$/m);
});

test('source range covering the node admits the node through KUBE-LOAD-BALANCER-SOURCE-IP', () => {
  const s = svc(
    'ns1',
    'svc1',
    { type: 'LoadBalancer', clusterIP: '10.20.30.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }], loadBalancerSourceRanges: ['100.101.0.0/16'] },
    { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
  );
  const plan = buildIPVSPlan(input([s], []));
  assert.deepEqual(members(plan, 'KUBE-LOAD-BALANCER-SOURCE-IP'), ['1.2.3.4,tcp:80,1.2.3.4']);
  assert.deepEqual(plan.lbNoNodeAccess, []);
});

test('TestAcceptIPVSTraffic: ClusterIP with external IP, LoadBalancer and NodePort: KUBE-SERVICES order', () => {
  const services = [
    svc('ns1', 'svc1', { type: 'ClusterIP', clusterIP: '10.20.30.40', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }], externalIPs: ['5.6.7.8'] }),
    svc('ns1', 'svc2', { type: 'LoadBalancer', clusterIP: '10.20.30.41', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 80 }] }, {
      loadBalancer: { ingress: [{ ip: '1.2.3.4' }] },
    }),
    svc('ns1', 'svc3', { type: 'NodePort', clusterIP: '10.20.30.42', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 80 }] }),
  ];
  const plan = buildIPVSPlan(input(services, []));
  assert.deepEqual(members(plan, 'KUBE-EXTERNAL-IP'), ['5.6.7.8,tcp:80']);
  assert.deepEqual(chains(iptablesOf(plan)).get('KUBE-SERVICES'), [
    { jump: 'RETURN', set: '' },
    { jump: 'KUBE-LOAD-BALANCER', set: 'KUBE-LOAD-BALANCER' },
    { jump: 'KUBE-MARK-MASQ', set: 'KUBE-CLUSTER-IP' },
    { jump: 'KUBE-MARK-MASQ', set: 'KUBE-EXTERNAL-IP' },
    { jump: 'ACCEPT', set: 'KUBE-EXTERNAL-IP' },
    { jump: 'ACCEPT', set: 'KUBE-EXTERNAL-IP' },
    { jump: 'KUBE-NODE-PORT', set: '' },
    { jump: 'ACCEPT', set: 'KUBE-CLUSTER-IP' },
    { jump: 'ACCEPT', set: 'KUBE-LOAD-BALANCER' },
  ]);
  // External IPs the node does not own are bound to kube-ipvs0 too.
  assert.deepEqual(plan.bindAddresses, ['1.2.3.4', '5.6.7.8', '10.20.30.40', '10.20.30.41', '10.20.30.42']);
  assert.deepEqual(members(plan, 'KUBE-IPVS-IPS'), ['1.2.3.4', '10.20.30.40', '10.20.30.41', '10.20.30.42', '5.6.7.8']);
});

test('TestHealthCheckNodePort: only Local LoadBalancer Services add health check node ports', () => {
  const base = (name: string, policy: 'Local' | 'Cluster', hc: number) =>
    svc('ns1', name, {
      type: 'LoadBalancer',
      clusterIP: '10.20.30.41',
      ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3000 }],
      externalTrafficPolicy: policy,
      healthCheckNodePort: hc,
    });
  const plan = buildIPVSPlan(input([base('valid-svc1', 'Local', 30000), base('valid-svc2', 'Local', 30001), base('invalid-svc3', 'Cluster', 30002)], []));
  assert.deepEqual(members(plan, 'KUBE-HEALTH-CHECK-NODE-PORT'), ['30000', '30001']);
  assert.deepEqual(chains(iptablesOf(plan)).get('KUBE-NODE-PORT'), [
    { jump: 'RETURN', set: 'KUBE-NODE-PORT-LOCAL-TCP' },
    { jump: 'KUBE-MARK-MASQ', set: 'KUBE-NODE-PORT-TCP' },
    { jump: 'ACCEPT', set: 'KUBE-HEALTH-CHECK-NODE-PORT' },
  ]);
});

test('schedulers: --ipvs-scheduler reaches every virtual server', () => {
  for (const scheduler of ['rr', 'wrr', 'lc', 'wlc', 'sh', 'dh', 'sed', 'nq'] as const) {
    const out = ipvsMode.render(input([nodePortSvc('TCP')], []), { ipvsScheduler: scheduler });
    assert.match(out, new RegExp(`^-A -t 10\\.20\\.30\\.41:80 -s ${scheduler}$`, 'm'));
    assert.match(out, new RegExp(`^-A -t 100\\.101\\.102\\.103:3001 -s ${scheduler}$`, 'm'));
  }
});

test('a cluster CIDR masquerades only off-cluster traffic to ClusterIPs', () => {
  const plan = buildIPVSPlan(input([nodePortSvc('TCP')], []));
  assert.match(
    iptablesOf(plan, '10.244.0.0/16'),
    /^-A KUBE-SERVICES -m comment --comment "Kubernetes service cluster ip \+ port for masquerade purpose" -m set --match-set KUBE-CLUSTER-IP dst,dst ! -s 10\.244\.0\.0\/16 -j KUBE-MARK-MASQ$/m,
  );
});

test('iptables section: chains declared, masquerade mark rules, COMMIT per table', () => {
  const out = iptablesOf(buildIPVSPlan(input([], [])));
  const lines = out.trimEnd().split('\n');
  assert.equal(lines[0], '*nat');
  assert.ok(lines.includes(':KUBE-SERVICES - [0:0]'));
  assert.ok(lines.includes(':KUBE-IPVS-FILTER - [0:0]'));
  assert.ok(lines.includes('-A KUBE-MARK-MASQ -j MARK --or-mark 0x4000'));
  assert.ok(lines.includes('-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN'));
  assert.ok(lines.includes('-A KUBE-POSTROUTING -j MARK --xor-mark 0x4000'));
  assert.ok(lines.includes('-A KUBE-IPVS-FILTER -m conntrack --ctstate NEW -m set --match-set KUBE-IPVS-IPS dst -j REJECT'));
  assert.equal(lines.filter((l) => l === 'COMMIT').length, 2);
  // No Service: no set-matching rule for empty sets in nat.
  assert.ok(!lines.some((l) => l.startsWith('-A KUBE-SERVICES') && l.includes('KUBE-CLUSTER-IP')));
});

test('ipset section: every set created with upstream types, members sorted', () => {
  const out = ipvsMode.render(
    input(
      [svc('ns1', 'a', { clusterIP: '10.0.0.10', ports: [{ name: 'p', port: 8080, protocol: 'TCP' }] }), svc('ns1', 'b', { clusterIP: '10.0.0.9', ports: [{ name: 'p', port: 53, protocol: 'UDP' }] })],
      [],
    ),
  );
  assert.match(out, /^create KUBE-LOOP-BACK hash:ip,port,ip family inet hashsize 1024 maxelem 65536$/m);
  assert.match(out, /^create KUBE-NODE-PORT-TCP bitmap:port range 0-65535$/m);
  assert.match(out, /^create KUBE-IPVS-IPS hash:ip family inet hashsize 1024 maxelem 65536$/m);
  const adds = out.split('\n').filter((l) => l.startsWith('add KUBE-CLUSTER-IP '));
  assert.deepEqual(adds, ['add KUBE-CLUSTER-IP 10.0.0.9,udp:53', 'add KUBE-CLUSTER-IP 10.0.0.10,tcp:8080']);
});
