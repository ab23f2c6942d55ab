// proxy trace and the chain names it uses, without a cluster: maps built by the real trackers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from './fixtures.js';
import { traceService } from '../../src/proxy/trace.js';
import { iptablesChain, iptablesSEPChain, nftChain } from '../../src/proxy/chain-names.js';
import type { RulesInput } from '../../src/proxy/rules.js';
import type { Service } from '../../src/api/core.js';
import type { EndpointSlice } from '../../src/api/discovery.js';

const spn = { namespace: 'ns4', name: 'svc4', port: 'p80', protocol: 'TCP' as const };

test("chain names are upstream's (issue 6 example)", () => {
  assert.equal(iptablesChain('SVC', spn), 'KUBE-SVC-4SW47YFZTEDKD3PK');
  assert.equal(iptablesSEPChain(spn, '10.180.0.4:80'), 'KUBE-SEP-UKSFD7AGPMPPLUHC');
  assert.equal(iptablesSEPChain(spn, '10.180.0.5:80'), 'KUBE-SEP-C6EBXVWJJZMIWKLZ');
  assert.equal(nftChain('service-', spn), 'service-LAUZTJTB-ns4/svc4/tcp/p80');
});

function input(services: Service[], slices: EndpointSlice[], clusterCIDR?: string): RulesInput {
  const { sm, em } = buildMaps('node-a', services, slices);
  return { serviceMap: sm, endpointsMap: em, nodeName: 'node-a', nodeIPs: ['172.30.0.2'], ...(clusterCIDR ? { clusterCIDR } : {}) };
}

const svc4 = svc('ns4', 'svc4', { clusterIP: '172.30.0.44', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
const eps4 = slice('ns4', 'svc4', 's1', [ep('10.180.0.4', { nodeName: 'node-a' }), ep('10.180.0.5', { nodeName: 'node-b' })], [{ name: 'p80', port: 80, protocol: 'TCP' }]);

test('iptables trace, upstream layout: the KUBE-SVC chain, the 1/(n-i) probabilities, SEP chains, masquerade from outside the pod range', () => {
  const out = traceService(input([svc4], [eps4], '10.180.0.0/16'), { namespace: 'ns4', name: 'svc4', mode: 'iptables', layout: 'upstream', from: '192.168.1.9' });
  assert.match(out, /KUBE-SVC-4SW47YFZTEDKD3PK/);
  assert.match(out, /--probability 0\.5000000000" -j KUBE-SEP-UKSFD7AGPMPPLUHC: DNAT to 10\.180\.0\.4:80/);
  assert.match(out, /the last rule \(no condition\) -j KUBE-SEP-C6EBXVWJJZMIWKLZ: DNAT to 10\.180\.0\.5:80/);
  assert.match(out, /outside the pod range 10\.180\.0\.0\/16/);
  assert.match(out, /marked for masquerade/);
  assert.match(out, /10\.180\.0\.4:80 {2}50\.0% of new connections {2}\(node node-a, local\)/);
});

test('iptables trace, inline layout (the default): DNAT in the Service chain, hairpin marked through KUBE-HAIRPIN', () => {
  const out = traceService(input([svc4], [eps4], '10.180.0.0/16'), { namespace: 'ns4', name: 'svc4', mode: 'iptables', from: '10.180.0.4' });
  assert.match(out, /KUBE-SVC-4SW47YFZTEDKD3PK/);
  assert.match(out, /--probability 0\.5000000000" -j DNAT --to-destination 10\.180\.0\.4:80\./);
  assert.match(out, /the last rule \(no condition\) -j DNAT --to-destination 10\.180\.0\.5:80\./);
  assert.doesNotMatch(out, /KUBE-SEP-/);
  assert.match(out, /KUBE-HAIRPIN/);
});

test('trace from an endpoint itself mentions hairpin; from inside the pod range keeps the source', () => {
  const out = traceService(input([svc4], [eps4], '10.180.0.0/16'), { namespace: 'ns4', name: 'svc4', mode: 'nftables', from: '10.180.0.4' });
  assert.match(out, /inside the pod range/);
  assert.match(out, /source address is kept/);
  assert.match(out, /hairpin/);
  assert.match(out, /service-LAUZTJTB-ns4\/svc4\/tcp\/p80/);
});

test('internalTrafficPolicy Local: only the local endpoint', () => {
  const local = svc('ns4', 'svc4', { clusterIP: '172.30.0.44', internalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
  const out = traceService(input([local], [eps4]), { namespace: 'ns4', name: 'svc4', mode: 'iptables' });
  assert.match(out, /KUBE-SVL-4SW47YFZTEDKD3PK/);
  assert.match(out, /one of 1 endpoint:/);
  assert.match(out, /10\.180\.0\.4:80 {2}100\.0%/);
  assert.doesNotMatch(out, /10\.180\.0\.5:80/);
});

test('Local internal policy with endpoints only elsewhere: dropped (iptables, nftables), no real server (ipvs: no cluster endpoints to fall back to)', () => {
  const local = svc('ns4', 'svc4', { clusterIP: '172.30.0.44', internalTrafficPolicy: 'Local', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
  const remote = slice('ns4', 'svc4', 's1', [ep('10.180.0.5', { nodeName: 'node-b' })], [{ name: 'p80', port: 80, protocol: 'TCP' }]);
  const i = input([local], [remote]);
  assert.match(traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'iptables' }), /has no local endpoints.*drops it|drops it.*has no local endpoints/);
  assert.match(traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'nftables' }), /drops it/);
  assert.match(traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'ipvs' }), /no real server/);
});

test('no endpoints: each mode says how the packet is refused', () => {
  const i = input([svc4], []);
  assert.match(traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'iptables' }), /"ns4\/svc4:p80 has no endpoints".*connection refused/);
  assert.match(traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'nftables' }), /no-endpoint-services.*connection refused/);
  assert.match(traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'ipvs' }), /no real server.*connection refused/);
  assert.match(traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'userspace' }), /closes the connection/);
});

test('ipvs trace: persistence for ClientIP affinity, scheduler named', () => {
  const aff = svc('ns4', 'svc4', { clusterIP: '172.30.0.44', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 600 } }, ports: [{ name: 'p80', port: 80, protocol: 'TCP' }] });
  const out = traceService(input([aff], [eps4]), { namespace: 'ns4', name: 'svc4', mode: 'ipvs', ipvsScheduler: 'lc' });
  assert.match(out, /"-A -t 172\.30\.0\.44:80 -s lc -p 600"/);
  assert.match(out, /persistence/);
  assert.match(out, /share by the lc scheduler/);
});

test('--port filters by name or number; an unknown port or Service is an error', () => {
  const two = svc('ns4', 'svc4', { clusterIP: '172.30.0.44', ports: [{ name: 'p80', port: 80, protocol: 'TCP' }, { name: 'p443', port: 443, protocol: 'TCP' }] });
  const i = input([two], []);
  assert.equal((traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'iptables' }).match(/^Service /gm) ?? []).length, 2);
  assert.equal((traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'iptables', port: '443' }).match(/^Service /gm) ?? []).length, 1);
  assert.match(traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'iptables', port: 'p443' }), /port "p443" 443\/TCP/);
  assert.throws(() => traceService(i, { namespace: 'ns4', name: 'svc4', mode: 'iptables', port: '8080' }), /has no port "8080"/);
  assert.throws(() => traceService(i, { namespace: 'ns4', name: 'nope', mode: 'iptables' }), /not found/);
});
