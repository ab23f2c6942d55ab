// The Provider with the real iptables-restore, inside a network namespace this test creates
// (kubesvc-test-<random>) and removes by name: the host's own tables are never touched. Skipped
// without root or without iptables.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { IptablesProvider } from '../../../src/proxy/iptables/provider.js';
import { netnsExecutor } from '../../../src/proxy/executor.js';
import { endpointChainName, serviceChains } from '../../../src/proxy/iptables/names.js';
import type { ProxyChanges } from '../../../src/proxy/provider.js';

const usable =
  process.getuid?.() === 0 &&
  spawnSync('iptables-restore', ['--version']).status === 0 &&
  spawnSync('ip', ['netns', 'list']).status === 0;

const ns = `kubesvc-test-${randomBytes(4).toString('hex')}`;
const inNs = (...argv: string[]): string => execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8' });
const changes = (full: boolean, endpoints: string[] = []): ProxyChanges => ({ full, services: new Set(), endpoints: new Set(endpoints), nodeLabels: {} });
const tcp80 = [{ name: 'http', port: 80, protocol: 'TCP' as const }];
const udp53 = [{ name: 'dns', port: 53, protocol: 'UDP' as const }];

/** A Provider for a namespace of its own (kubesvc-test-<random>), deleted by name after the test. */
function providerInThrowawayNetns(t: TestContext): { run: (...argv: string[]) => string; p: IptablesProvider } {
  const name = `kubesvc-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', name]);
  t.after(() => {
    spawnSync('ip', ['netns', 'delete', name]);
  });
  const run = (...argv: string[]): string => execFileSync('ip', ['netns', 'exec', name, ...argv], { encoding: 'utf8' });
  return { run, p: new IptablesProvider({ nodeName: 'node-a', nodeIPs: ['172.30.0.2'], clusterCIDR: '10.244.0.0/16', executor: netnsExecutor(name) }) };
}

function maps(webEndpoints: string[]) {
  return buildMaps(
    'node-a',
    [
      svc('default', 'web', { type: 'NodePort', clusterIP: '10.96.0.20', ports: [{ ...tcp80[0]!, nodePort: 30080 }], sessionAffinity: 'ClientIP' }),
      svc('kube-system', 'kube-dns', { clusterIP: '10.96.0.10', ports: udp53 }),
      svc(
        'default',
        'lb',
        { type: 'LoadBalancer', clusterIP: '10.96.0.30', externalTrafficPolicy: 'Local', ports: [{ ...tcp80[0]!, nodePort: 30081 }], healthCheckNodePort: 30500, loadBalancerSourceRanges: ['172.30.0.0/24'] },
        { loadBalancer: { ingress: [{ ip: '172.30.1.5' }] } },
      ),
      svc('default', 'empty', { clusterIP: '10.96.0.40', ports: tcp80 }),
    ],
    [
      slice('default', 'web', 'web-1', webEndpoints.map((ip) => ep(ip)), tcp80),
      slice('kube-system', 'kube-dns', 'dns-1', [ep('10.244.1.9')], udp53),
      slice('default', 'lb', 'lb-1', [ep('10.244.1.7', { nodeName: 'node-a' })], tcp80),
    ],
  );
}

test('real iptables-restore in a throwaway netns: full sync, partial sync, second full sync, cleanup', { skip: !usable && 'needs root, iproute2 and iptables' }, async (t) => {
  execFileSync('ip', ['netns', 'add', ns]);
  t.after(() => {
    spawnSync('ip', ['netns', 'delete', ns]);
  });
  const p = new IptablesProvider({ nodeName: 'node-a', nodeIPs: ['172.30.0.2'], clusterCIDR: '10.244.0.0/16', executor: netnsExecutor(ns) });
  await p.start();

  const first = maps(['10.244.1.2', '10.244.2.2']);
  await p.sync(first.sm, first.em, changes(true));
  const nat = inNs('iptables-save', '-t', 'nat');
  const web = serviceChains('default/web:http', 'tcp').cluster;
  const sep2 = endpointChainName('default/web:http', 'tcp', '10.244.2.2:80');
  assert.match(nat, /^-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES$/m);
  assert.match(nat, new RegExp(`^-A KUBE-SERVICES -d 10.96.0.20/32 -p tcp -m comment --comment "default/web:http cluster IP" -m tcp --dport 80 -j ${web}$`, 'm'));
  assert.match(nat, new RegExp(`^-A ${web} -m comment --comment "default/web:http -> 10.244.1.2:80" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-`, 'm'));
  assert.match(nat, new RegExp(`^-A ${sep2} -p tcp -m comment --comment "default/web:http" -m recent --set --name ${sep2} --mask 255.255.255.255 --rsource -m tcp -j DNAT --to-destination 10.244.2.2:80$`, 'm'));
  assert.match(nat, /^-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully$/m);
  assert.match(nat, /^-A KUBE-FW-\S+ -s 172.30.0.0\/24 -m comment --comment "default\/lb:http loadbalancer IP" -j KUBE-EXT-/m);
  const filter = inNs('iptables-save', '-t', 'filter');
  assert.match(filter, /^-A KUBE-SERVICES -d 10.96.0.40\/32 -p tcp -m comment --comment "default\/empty:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable$/m);
  assert.match(filter, /^-A KUBE-NODEPORTS -p tcp -m comment --comment "default\/lb:http health check node port" -m tcp --dport 30500 -j ACCEPT$/m);

  // Partial: one endpoint of web goes; its SEP chain disappears, other Services' chains stay.
  const second = maps(['10.244.1.2']);
  await p.sync(second.sm, second.em, changes(false, ['default/web']));
  assert.equal(p.lastSync!.full, false);
  assert.equal(p.lastSync!.deletedChains, 1);
  const nat2 = inNs('iptables-save', '-t', 'nat');
  assert.doesNotMatch(nat2, new RegExp(`:${sep2} `));
  assert.doesNotMatch(nat2, /--probability/);
  assert.match(nat2, new RegExp(`^:${serviceChains('kube-system/kube-dns:dns', 'udp').cluster} `, 'm'));

  // A second full sync re-reads the tables and adds no duplicate jump rules.
  await p.sync(second.sm, second.em, changes(true));
  const nat3 = inNs('iptables-save', '-t', 'nat');
  assert.equal(nat3.match(/^-A PREROUTING .*-j KUBE-SERVICES$/gm)!.length, 1);
  assert.equal(inNs('iptables-save', '-t', 'filter').match(/^-A INPUT .*-j KUBE-EXTERNAL-SERVICES$/gm)!.length, 1);

  await p.cleanup();
  const after = inNs('iptables-save');
  assert.doesNotMatch(after, /KUBE-(SERVICES|NODEPORTS|SVC|SEP|EXT|FW|POSTROUTING|MARK-MASQ|FORWARD|PROXY-FIREWALL|EXTERNAL)/);
});

test('real kernel: a resync is partial while KUBE-PROXY-CANARY exists, and full after a firewall reload flushed every table', { skip: !usable && 'needs root, iproute2 and iptables' }, async (t) => {
  const { run, p } = providerInThrowawayNetns(t);
  const m = maps(['10.244.1.2', '10.244.2.2']);
  const resync: ProxyChanges = { ...changes(false), resync: true };
  await p.sync(m.sm, m.em, changes(true));
  for (const table of ['mangle', 'nat', 'filter']) assert.match(run('iptables', '-t', table, '-S', 'KUBE-PROXY-CANARY'), /^-N KUBE-PROXY-CANARY$/m);

  await p.sync(m.sm, m.em, resync);
  assert.equal(p.lastSync!.canary, 'present');
  assert.equal(p.lastSync!.full, false);

  // What a firewall reload does: every rule flushed and every user chain deleted, in all tables.
  for (const table of ['mangle', 'nat', 'filter']) {
    run('iptables', '-t', table, '-F');
    run('iptables', '-t', table, '-X');
  }
  const web = serviceChains('default/web:http', 'tcp').cluster;
  assert.doesNotMatch(run('iptables-save', '-t', 'nat'), new RegExp(web));
  await p.sync(m.sm, m.em, resync);
  assert.equal(p.lastSync!.canary, 'missing');
  assert.equal(p.lastSync!.full, true);
  const nat = run('iptables-save', '-t', 'nat');
  assert.match(nat, /^-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES$/m);
  assert.match(nat, new RegExp(`^-A KUBE-SERVICES -d 10.96.0.20/32 .* -j ${web}$`, 'm'));
  assert.match(nat, new RegExp(`^:${web} `, 'm'));
  assert.match(run('iptables', '-t', 'mangle', '-S', 'KUBE-PROXY-CANARY'), /^-N KUBE-PROXY-CANARY$/m);

  await p.cleanup();
  assert.doesNotMatch(run('iptables-save'), /KUBE-PROXY-CANARY/);
});

test('real kernel, inline layout: hairpin chains, a Service losing and regaining ClientIP affinity, and an emptied /24, each restore accepted', { skip: !usable && 'needs root, iproute2 and iptables' }, async (t) => {
  const { run, p } = providerInThrowawayNetns(t);
  const state = (affinity: boolean, ips: string[]) =>
    buildMaps(
      'node-a',
      [svc('default', 'web', { clusterIP: '10.96.0.20', ports: tcp80, ...(affinity ? { sessionAffinity: 'ClientIP' as const } : {}) })],
      [slice('default', 'web', 'web-1', ips.map((ip) => ep(ip)), tcp80)],
    );
  const sep = endpointChainName('default/web:http', 'tcp', '10.244.1.2:80');
  let m = state(false, ['10.244.1.2', '10.244.2.2']);
  await p.sync(m.sm, m.em, changes(true));
  let nat = run('iptables-save', '-t', 'nat');
  assert.match(nat, /^-A KUBE-POSTROUTING -m comment --comment "pods reaching themselves through a Service" -m conntrack --ctstate DNAT -j KUBE-HAIRPIN$/m);
  assert.match(nat, /^-A KUBE-HAIRPIN -d 10\.244\.2\.0\/24 -j KUBE-HAIRPIN-10-244-2$/m);
  assert.match(nat, /^-A KUBE-HAIRPIN-10-244-1 -s 10\.244\.1\.2\/32 -d 10\.244\.1\.2\/32 -j KUBE-MARK-MASQ$/m);
  assert.match(nat, /-j DNAT --to-destination 10\.244\.2\.2:80$/m);
  assert.doesNotMatch(nat, /^:KUBE-SEP-/m);

  // Affinity on: endpoint chains appear, the hairpin chains go (no inline DNAT uses them).
  m = state(true, ['10.244.1.2', '10.244.2.2']);
  await p.sync(m.sm, m.em, { ...changes(false), services: new Set(['default/web']) });
  nat = run('iptables-save', '-t', 'nat');
  assert.match(nat, new RegExp(`^:${sep} `, 'm'));
  assert.doesNotMatch(nat, /KUBE-HAIRPIN-10-244/);

  // Off again, one endpoint left: its SEP chains are deleted, one /24 comes back.
  m = state(false, ['10.244.1.2']);
  await p.sync(m.sm, m.em, { ...changes(false), services: new Set(['default/web']) });
  nat = run('iptables-save', '-t', 'nat');
  assert.doesNotMatch(nat, /^:KUBE-SEP-/m);
  assert.match(nat, /^:KUBE-HAIRPIN-10-244-1 /m);
  assert.doesNotMatch(nat, /KUBE-HAIRPIN-10-244-2/);

  await p.cleanup();
  assert.doesNotMatch(run('iptables-save'), /KUBE-HAIRPIN|KUBE-SVC|KUBE-SERVICES/);
});
