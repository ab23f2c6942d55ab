// Golden tests against upstream's own expectations (pkg/proxy/iptables/proxier_test.go,
// TestOverallIPTablesRules and friends), compared after upstream's normalization. Upstream's test
// proxier runs with node "test-node", node IP 192.168.0.2, local detection by 10.0.0.0/8,
// localhost NodePorts on, nfacct counters present and no --random-fully: the options below.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { renderIptables, type IptablesOptions } from '../../../src/proxy/iptables/render.js';
import { endpointChainName, portProtoHash, serviceChains } from '../../../src/proxy/iptables/names.js';
import { iptablesMode } from '../../../src/proxy/iptables/index.js';
import { dedent, sortIptablesRules } from './normalize.js';
import { overallExpected } from './overall-expected.js';
import type { Service } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';

const node = 'test-node';
const upstreamOpts: IptablesOptions = { layout: 'upstream', randomFully: false, nfacct: true, localhostNodePorts: true };
const p80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const }];

function render(services: Service[], slices: EndpointSlice[], opts: IptablesOptions = upstreamOpts): string {
  const { sm, em } = buildMaps(node, services, slices);
  return renderIptables({ serviceMap: sm, endpointsMap: em, nodeName: node, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' }, opts).text;
}

function assertRules(actual: string, expected: string): void {
  assert.equal(sortIptablesRules(actual), sortIptablesRules(dedent(expected)));
}

test('chain names use upstream hash inputs (the issue example)', () => {
  assert.equal(serviceChains('ns4/svc4:p80', 'tcp').cluster, 'KUBE-SVC-4SW47YFZTEDKD3PK');
  assert.equal(endpointChainName('ns4/svc4:p80', 'tcp', '10.180.0.4:80'), 'KUBE-SEP-UKSFD7AGPMPPLUHC');
  assert.equal(endpointChainName('ns4/svc4:p80', 'tcp', '10.180.0.5:80'), 'KUBE-SEP-C6EBXVWJJZMIWKLZ');
  assert.equal(portProtoHash('ns5/svc5:p80', 'tcp'), 'NUKIZ6OKUXPJNT4C');
});

export const overallServices = (): Service[] => [
  svc('ns1', 'svc1', { clusterIP: '172.30.0.41', ports: p80 }),
  svc(
    'ns2',
    'svc2',
    {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      clusterIP: '172.30.0.42',
      ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3001 }],
      externalIPs: ['192.168.99.22'],
      healthCheckNodePort: 30000,
    },
    { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
  ),
  svc('ns3', 'svc3', { type: 'NodePort', clusterIP: '172.30.0.43', ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3003 }] }),
  svc('ns4', 'svc4', { type: 'NodePort', clusterIP: '172.30.0.44', externalIPs: ['192.168.99.33'], ports: [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 80 }] }),
  svc(
    'ns5',
    'svc5',
    {
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Cluster',
      clusterIP: '172.30.0.45',
      ports: [{ name: 'p80', port: 80, protocol: 'TCP', nodePort: 3002 }],
      healthCheckNodePort: 30000,
      loadBalancerSourceRanges: [' 203.0.113.0/25'],
      sessionAffinity: 'ClientIP',
      sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
    },
    { loadBalancer: { ingress: [{ ip: '5.6.7.8' }] } },
  ),
  svc('ns6', 'svc6', { clusterIP: '172.30.0.46', ports: [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 80 }] }),
];

export const overallSlices = (): EndpointSlice[] => [
  slice('ns1', 'svc1', 'svc1-1', [ep('10.180.0.1')], p80),
  slice('ns2', 'svc2', 'svc2-1', [ep('10.180.0.2')], p80),
  slice('ns3', 'svc3', 'svc3-1', [ep('10.180.0.3')], p80),
  slice('ns4', 'svc4', 'svc4-1', [ep('10.180.0.4'), ep('10.180.0.5', { nodeName: node })], p80),
  slice('ns5', 'svc5', 'svc5-1', [ep('10.180.0.3')], p80),
];

test('TestOverallIPTablesRules: ClusterIP, LB Local, NodePort, external IP, LB source ranges + affinity, no endpoints', () => {
  assertRules(render(overallServices(), overallSlices()), overallExpected);
});

test('iptablesMode renders with upstream defaults (--random-fully, no nfacct)', () => {
  const { sm, em } = buildMaps(node, overallServices(), overallSlices());
  const text = iptablesMode.render({ serviceMap: sm, endpointsMap: em, nodeName: node, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' });
  assert.equal(iptablesMode.name, 'iptables');
  assert.match(text, /-j MASQUERADE --random-fully\n/);
  assert.doesNotMatch(text, /nfacct/);
  assert.match(text, /^-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP$/m);
});
