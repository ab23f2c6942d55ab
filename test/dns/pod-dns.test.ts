// Pods' resolv.conf per dnsPolicy and dnsConfig, as the kubelet writes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../src/api/core.js';
import { formatResolvConf, parseResolvConf, podResolvConfig } from '../../src/dns/pod-dns.js';
import { kubeDNSService } from '../../src/dns/kube-dns.js';

const host = parseResolvConf('# node\nnameserver 10.255.255.53\nnameserver 10.255.255.54\nsearch corp.example\noptions edns0 timeout:2\n');
const pod = (spec: Partial<Pod['spec']> = {}, ns = 'prod'): Pod => ({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace: ns, name: 'p' }, spec: { containers: [], ...spec } }) as Pod;
const inputs = { clusterDNS: ['127.96.0.10'], host };

test('ClusterFirst (the default): kube-dns, the namespace search path, ndots:5', () => {
  const cfg = podResolvConfig(pod(), inputs);
  assert.deepEqual(cfg, { nameservers: ['127.96.0.10'], searches: ['prod.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example'], options: ['ndots:5'] });
  assert.equal(formatResolvConf(cfg), 'search prod.svc.cluster.local svc.cluster.local cluster.local corp.example\nnameserver 127.96.0.10\noptions ndots:5\n');
});

test('Default and host-network ClusterFirst use the node resolvers; ClusterFirstWithHostNet does not', () => {
  const nodeCfg = { nameservers: ['10.255.255.53', '10.255.255.54'], searches: ['corp.example'], options: ['edns0', 'timeout:2'] };
  assert.deepEqual(podResolvConfig(pod({ dnsPolicy: 'Default' }), inputs), nodeCfg);
  assert.deepEqual(podResolvConfig(pod({ hostNetwork: true }), inputs), nodeCfg);
  assert.deepEqual(podResolvConfig(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' }), inputs).nameservers, ['127.96.0.10']);
  assert.deepEqual(podResolvConfig(pod(), { clusterDNS: [], host }).nameservers, nodeCfg.nameservers, 'no cluster DNS: the node');
});

test('None plus dnsConfig; dnsConfig appended with duplicates dropped and options merged by name', () => {
  assert.deepEqual(podResolvConfig(pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['192.0.2.1'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }] } }), inputs), {
    nameservers: ['192.0.2.1'],
    searches: ['a.example'],
    options: ['ndots:2'],
  });
  const cfg = podResolvConfig(pod({ dnsConfig: { nameservers: ['127.96.0.10', '192.0.2.1', '192.0.2.2', '192.0.2.3'], searches: ['svc.cluster.local', 'b.example'], options: [{ name: 'ndots', value: '1' }, { name: 'edns0' }] } }), inputs);
  assert.deepEqual(cfg.nameservers, ['127.96.0.10', '192.0.2.1', '192.0.2.2'], 'at most 3');
  assert.deepEqual(cfg.searches, ['prod.svc.cluster.local', 'svc.cluster.local', 'cluster.local', 'corp.example', 'b.example']);
  assert.deepEqual(cfg.options, ['ndots:1', 'edns0']);
});

test('--cluster-domain changes the search path', () => {
  assert.deepEqual(podResolvConfig(pod({}, 'default'), { ...inputs, clusterDomain: 'kube.example.' }).searches.slice(0, 3), ['default.svc.kube.example', 'svc.kube.example', 'kube.example']);
});

test('the kube-dns Service: kube-system, ports dns/UDP 53 and dns-tcp/TCP 53', () => {
  const s = kubeDNSService('127.96.0.10');
  assert.equal(s.metadata.namespace, 'kube-system');
  assert.equal(s.metadata.name, 'kube-dns');
  assert.deepEqual(s.spec.ports!.map((p) => `${p.name}/${p.protocol}/${p.port}`), ['dns/UDP/53', 'dns-tcp/TCP/53']);
});
