// The iptables mode's default 'inline' layout: Services without ClientIP affinity DNAT from their
// own chain (no KUBE-SEP chains), hairpin traffic is marked in POSTROUTING by per-/24 chains, and
// partial syncs write only the hairpin chains whose members changed. Upstream's layout is the
// golden tests' (golden.test.ts, repeated.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { renderIptables, type IptablesOptions } from '../../../src/proxy/iptables/render.js';
import { IptablesProvider } from '../../../src/proxy/iptables/provider.js';
import { endpointChainName, serviceChains } from '../../../src/proxy/iptables/names.js';
import { hairpinChainName, hairpinChains } from '../../../src/proxy/iptables/hairpin.js';
import type { RuleExecutor } from '../../../src/proxy/rules.js';
import type { Service } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';

const node = 'node-a';
const p80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const }];

function render(services: Service[], slices: EndpointSlice[], opts: IptablesOptions = {}) {
  const { sm, em } = buildMaps(node, services, slices);
  return renderIptables({ serviceMap: sm, endpointsMap: em, nodeName: node, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' }, opts);
}

const web = (ips: string[]) => slice('ns1', 'web', 'web-1', ips.map((ip) => ep(ip)), p80);
const services = [
  svc('ns1', 'web', { clusterIP: '172.30.0.41', ports: p80 }),
  svc('ns1', 'sticky', { clusterIP: '172.30.0.42', ports: p80, sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }),
];
const sticky = slice('ns1', 'sticky', 'sticky-1', [ep('10.0.9.1')], p80);

test('hairpin chains group endpoint addresses by /24, sorted, duplicates once; non-IPv4 addresses are left out', () => {
  const g = hairpinChains(['10.0.1.2', '10.0.2.7', '10.0.1.1', '10.0.1.2', 'fd00::1']);
  assert.deepEqual([...g], [
    ['KUBE-HAIRPIN-10-0-1', '10.0.1.1,10.0.1.2'],
    ['KUBE-HAIRPIN-10-0-2', '10.0.2.7'],
  ]);
  assert.equal(hairpinChainName('fd00::1'), undefined);
  // The longest name fits iptables' 28 characters.
  assert.ok(hairpinChainName('255.255.255.255')!.length <= 28);
});

test('inline layout: the Service chain DNATs to each endpoint with upstream probabilities, no KUBE-SEP chain', () => {
  const { text } = render(services, [web(['10.0.1.1', '10.0.1.2', '10.0.2.1']), sticky]);
  const svcChain = serviceChains('ns1/web:p80', 'tcp').cluster;
  const dnat = text.split('\n').filter((l) => l.startsWith(`-A ${svcChain} `) && l.includes('DNAT'));
  assert.deepEqual(dnat, [
    `-A ${svcChain} -m comment --comment "ns1/web:p80 -> 10.0.1.1:80" -m statistic --mode random --probability 0.3333333333 -m tcp -p tcp -j DNAT --to-destination 10.0.1.1:80`,
    `-A ${svcChain} -m comment --comment "ns1/web:p80 -> 10.0.1.2:80" -m statistic --mode random --probability 0.5000000000 -m tcp -p tcp -j DNAT --to-destination 10.0.1.2:80`,
    `-A ${svcChain} -m comment --comment "ns1/web:p80 -> 10.0.2.1:80" -m tcp -p tcp -j DNAT --to-destination 10.0.2.1:80`,
  ]);
  assert.doesNotMatch(text, new RegExp(endpointChainName('ns1/web:p80', 'tcp', '10.0.1.1:80')));
  // ClientIP affinity keeps upstream's endpoint chain: -m recent remembers the client by its name.
  const stickySep = endpointChainName('ns1/sticky:p80', 'tcp', '10.0.9.1:80');
  assert.match(text, new RegExp(`^:${stickySep} - \\[0:0\\]$`, 'm'));
  assert.match(text, new RegExp(`^-A ${stickySep} .*-m recent --name ${stickySep} --set -m tcp -p tcp -j DNAT --to-destination 10.0.9.1:80$`, 'm'));
});

test('inline layout: hairpin connections are marked in POSTROUTING before the mark test, through one chain per /24', () => {
  const { text, activeNatChains, hairpinChains: hp } = render(services, [web(['10.0.1.1', '10.0.1.2', '10.0.2.1']), sticky]);
  const post = text.split('\n').filter((l) => l.startsWith('-A KUBE-POSTROUTING '));
  assert.equal(post[0], '-A KUBE-POSTROUTING -m comment --comment "pods reaching themselves through a Service" -m conntrack --ctstate DNAT -j KUBE-HAIRPIN');
  assert.match(post[1]!, /-m mark ! --mark 0x4000\/0x4000 -j RETURN$/);
  assert.match(text, /^-A KUBE-HAIRPIN -d 10\.0\.1\.0\/24 -j KUBE-HAIRPIN-10-0-1$/m);
  assert.match(text, /^-A KUBE-HAIRPIN -d 10\.0\.2\.0\/24 -j KUBE-HAIRPIN-10-0-2$/m);
  assert.deepEqual(
    text.split('\n').filter((l) => l.startsWith('-A KUBE-HAIRPIN-10-0-1 ')),
    ['-A KUBE-HAIRPIN-10-0-1 -s 10.0.1.1 -d 10.0.1.1 -j KUBE-MARK-MASQ', '-A KUBE-HAIRPIN-10-0-1 -s 10.0.1.2 -d 10.0.1.2 -j KUBE-MARK-MASQ'],
  );
  // The affinity Service's endpoint masquerades its hairpin in its own chain, as upstream.
  assert.ok(!hp.has('KUBE-HAIRPIN-10-0-9'));
  for (const c of ['KUBE-HAIRPIN', 'KUBE-HAIRPIN-10-0-1', 'KUBE-HAIRPIN-10-0-2']) assert.ok(activeNatChains.has(c), c);
});

test('upstream layout: no hairpin chains, an endpoint chain each', () => {
  const { text, hairpinChains: hp } = render(services, [web(['10.0.1.1']), sticky], { layout: 'upstream' });
  assert.doesNotMatch(text, /KUBE-HAIRPIN/);
  assert.equal(hp.size, 0);
  assert.match(text, new RegExp(`^:${endpointChainName('ns1/web:p80', 'tcp', '10.0.1.1:80')} `, 'm'));
});

test('a partial render writes only the hairpin chains whose members changed, and deletes one left empty', () => {
  const full = render(services, [web(['10.0.1.1', '10.0.2.1', '10.0.3.1']), sticky]);
  const part = render(services, [web(['10.0.1.1', '10.0.2.1', '10.0.2.2']), sticky], {
    changedServices: new Set(['ns1/web']),
    writtenHairpinChains: full.hairpinChains,
    existingNatChains: full.activeNatChains,
  });
  assert.doesNotMatch(part.text, /^:KUBE-HAIRPIN-10-0-1 /m, 'unchanged: not written');
  assert.match(part.text, /^:KUBE-HAIRPIN-10-0-2 /m);
  assert.match(part.text, /^-A KUBE-HAIRPIN-10-0-2 -s 10\.0\.2\.2 -d 10\.0\.2\.2 -j KUBE-MARK-MASQ$/m);
  // KUBE-HAIRPIN is written whole (its jump to the emptied chain gone), then the chain is flushed and deleted.
  assert.match(part.text, /^:KUBE-HAIRPIN /m);
  assert.doesNotMatch(part.text, /^-A KUBE-HAIRPIN -d 10\.0\.3\.0\/24/m);
  assert.match(part.text, /^:KUBE-HAIRPIN-10-0-3 - \[0:0\]$/m);
  assert.match(part.text, /^-X KUBE-HAIRPIN-10-0-3$/m);
  assert.deepEqual(part.deletedChains, ['KUBE-HAIRPIN-10-0-3']);
  // A full render writes every hairpin chain whatever it is given.
  const again = render(services, [web(['10.0.1.1'])], { writtenHairpinChains: full.hairpinChains });
  assert.match(again.text, /^:KUBE-HAIRPIN-10-0-1 /m);
});

test('upstream layout over inline chains (a restart with --proxy-layout upstream): the hairpin chains are stale and go', () => {
  const inline = render(services, [web(['10.0.1.1']), sticky]);
  const up = render(services, [web(['10.0.1.1']), sticky], { layout: 'upstream', existingNatChains: inline.activeNatChains });
  assert.deepEqual(up.deletedChains.sort(), ['KUBE-HAIRPIN', 'KUBE-HAIRPIN-10-0-1']);
  assert.match(up.text, /^-X KUBE-HAIRPIN$/m);
});

class FakeExecutor implements RuleExecutor {
  restores: string[] = [];
  async run(argv: string[], stdin?: string) {
    if (argv[0] === 'iptables-restore') this.restores.push(stdin ?? '');
    if (argv[0] === 'iptables-save') return { code: 0, stdout: '*nat\nCOMMIT\n*filter\nCOMMIT\n', stderr: '' };
    return { code: 0, stdout: '', stderr: '' };
  }
}

test('the Provider: a partial sync after an endpoint moved writes its Service chain and the two hairpin chains it touched', async () => {
  const fake = new FakeExecutor();
  const p = new IptablesProvider({ nodeName: node, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8', executor: fake, conntrack: false });
  const before = buildMaps(node, services, [web(['10.0.1.1', '10.0.2.1']), slice('ns1', 'sticky', 'sticky-1', [ep('10.0.4.1')], p80)]);
  await p.sync(before.sm, before.em, { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} });
  assert.match(fake.restores.at(-1)!, /^:KUBE-HAIRPIN-10-0-1 /m);
  const after = buildMaps(node, services, [web(['10.0.1.1', '10.0.3.1']), slice('ns1', 'sticky', 'sticky-1', [ep('10.0.4.1')], p80)]);
  await p.sync(after.sm, after.em, { full: false, services: new Set(), endpoints: new Set(['ns1/web']), nodeLabels: {} });
  const text = fake.restores.at(-1)!;
  assert.equal(p.lastSync!.full, false);
  assert.match(text, new RegExp(`^:${serviceChains('ns1/web:p80', 'tcp').cluster} `, 'm'));
  assert.doesNotMatch(text, /^:KUBE-HAIRPIN-10-0-1 /m);
  assert.match(text, /^-A KUBE-HAIRPIN-10-0-3 -s 10\.0\.3\.1 -d 10\.0\.3\.1 -j KUBE-MARK-MASQ$/m);
  assert.match(text, /^-X KUBE-HAIRPIN-10-0-2$/m);
  assert.equal(p.lastSync!.deletedChains, 1);
});

test('the Provider: a Service losing ClientIP affinity drops its KUBE-SEP chains and gains hairpin rules in one partial sync, and back', async () => {
  const fake = new FakeExecutor();
  const p = new IptablesProvider({ nodeName: node, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8', executor: fake, conntrack: false });
  const withAffinity = (on: boolean) =>
    buildMaps(
      node,
      [svc('ns1', 'web', { clusterIP: '172.30.0.41', ports: p80, ...(on ? { sessionAffinity: 'ClientIP' as const, sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } : {}) })],
      [web(['10.0.5.1', '10.0.5.2'])],
    );
  const sep = endpointChainName('ns1/web:p80', 'tcp', '10.0.5.1:80');
  const sticky = withAffinity(true);
  await p.sync(sticky.sm, sticky.em, { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} });
  assert.match(fake.restores.at(-1)!, new RegExp(`^:${sep} `, 'm'));
  assert.doesNotMatch(fake.restores.at(-1)!, /^:KUBE-HAIRPIN-10-0-5 /m);

  const plain = withAffinity(false);
  await p.sync(plain.sm, plain.em, { full: false, services: new Set(['ns1/web']), endpoints: new Set(), nodeLabels: {} });
  let text = fake.restores.at(-1)!;
  assert.match(text, new RegExp(`^-X ${sep}$`, 'm'));
  assert.match(text, /^-A KUBE-HAIRPIN-10-0-5 -s 10\.0\.5\.1 -d 10\.0\.5\.1 -j KUBE-MARK-MASQ$/m);
  assert.match(text, /-j DNAT --to-destination 10\.0\.5\.1:80$/m);

  await p.sync(sticky.sm, sticky.em, { full: false, services: new Set(['ns1/web']), endpoints: new Set(), nodeLabels: {} });
  text = fake.restores.at(-1)!;
  assert.match(text, new RegExp(`^:${sep} - \\[0:0\\]$`, 'm'));
  assert.match(text, new RegExp(`^-A ${sep} .*-m recent --name ${sep} --set`, 'm'));
  assert.match(text, /^-X KUBE-HAIRPIN-10-0-5$/m);
});
