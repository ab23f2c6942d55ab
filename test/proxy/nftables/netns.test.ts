// The real nft in a throwaway network namespace (root and nft needed, skipped otherwise): the
// full transaction loads, partial transactions (chain rewrites, stale chain and set deletion in
// the same transaction) load, and `stop` removes the table. Only the namespace this test
// creates is touched; it is deleted by its exact name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NftablesProvider } from '../../../src/proxy/nftables/index.js';
import { netnsExecutor } from '../../../src/proxy/executor.js';
import type { ProxyChanges } from '../../../src/proxy/provider.js';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { overallInput, testNodeName } from './cases.js';

function canRun(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux';
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    execFileSync('ip', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'needs nft and ip';
  }
  return undefined;
}

const full: ProxyChanges = { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} };
const partial = (endpoints: string[]): ProxyChanges => ({ full: false, services: new Set(), endpoints: new Set(endpoints), nodeLabels: {} });

const skip = canRun();
for (const style of ['rules', 'vmap'] as const) {
  test(`real nft in a throwaway netns (${style} style): full, partial, stale removal, cleanup`, { skip }, async () => {
    const ns = `kubesvc-test-${randomBytes(4).toString('hex')}`;
    execFileSync('ip', ['netns', 'add', ns]);
    let clock = 1_000_000;
    try {
      const list = () => execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'ip', 'kube-proxy']).toString();
      const p = new NftablesProvider({
        executor: netnsExecutor(ns),
        nodeName: testNodeName,
        nodeIPs: ['192.168.0.2'],
        clusterCIDR: '10.0.0.0/8',
        serviceCIDRs: ['172.30.0.0/16'],
        endpointSelection: style,
        now: () => clock,
      });
      await p.start();
      const input = overallInput();
      await p.sync(input.serviceMap, input.endpointsMap, full);
      let out = list();
      assert.match(out, /chain service-LAUZTJTB-ns4\/svc4\/tcp\/p80 \{/);
      assert.match(out, /172\.30\.0\.44 \. tcp \. 80 : goto service-LAUZTJTB-ns4\/svc4\/tcp\/p80/);
      assert.match(out, /set affinity-GTK6MW7G-ns5\/svc5\/tcp\/p80__10\.180\.0\.3\/80 \{/);

      // A second full sync over the live table must load too (idempotent fixed part).
      await p.sync(input.serviceMap, input.endpointsMap, full);

      // svc4 loses 10.180.0.5; svc5 (affinity, firewall) goes away.
      const em = new Map(input.endpointsMap);
      const one = buildMaps(testNodeName, [svc('ns4', 'svc4', { clusterIP: '172.30.0.44', ports: [{ name: 'p80', port: 80, protocol: 'TCP', targetPort: 80 }] })], [
        slice('ns4', 'svc4', 'svc4-1', [ep('10.180.0.4')], [{ name: 'p80', port: 80, protocol: 'TCP' }]),
      ]);
      em.set('ns4/svc4:p80/TCP', one.em.get('ns4/svc4:p80/TCP')!);
      const sm = new Map(input.serviceMap);
      sm.delete('ns5/svc5:p80/TCP');
      await p.sync(sm, em, partial(['ns4/svc4', 'ns5/svc5']));
      assert.equal(p.lastSync?.full, false);
      out = list();
      // What left is flushed and no longer referenced; the chains and sets themselves wait a minute.
      assert.doesNotMatch(out, /goto endpoint-5RFCDDV7|10\.180\.0\.5:80/);
      assert.match(out, /chain endpoint-5RFCDDV7-ns4\/svc4\/tcp\/p80__10\.180\.0\.5\/80 \{\n\t\}/);
      assert.doesNotMatch(out, /(goto|jump|@)[^\n]*ns5\/svc5|5\.6\.7\.8/);
      assert.match(out, /chain endpoint-UNZV3OEC-ns4\/svc4\/tcp\/p80__10\.180\.0\.4\/80 \{/);
      clock += 60_000;
      await p.sync(sm, em, { ...partial([]), resync: true });
      out = list();
      assert.doesNotMatch(out, /endpoint-5RFCDDV7/);
      assert.doesNotMatch(out, /ns5\/svc5/);

      // Endpoints come back: the partial sync re-adds them.
      await p.sync(input.serviceMap, input.endpointsMap, partial(['ns4/svc4', 'ns5/svc5']));
      out = list();
      assert.match(out, /endpoint-5RFCDDV7/);
      assert.match(out, /firewall-HVFWP5L3-ns5\/svc5\/tcp\/p80/);

      await p.cleanup();
      assert.throws(() => execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'table', 'ip', 'kube-proxy'], { stdio: 'ignore' }));
    } finally {
      execFileSync('ip', ['netns', 'del', ns]);
    }
  });
}

test('real nft: a resync is partial while the table exists, and rebuilds it after `nft flush ruleset`', { skip }, async () => {
  const ns = `kubesvc-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const inNs = (...argv: string[]) => execFileSync('ip', ['netns', 'exec', ns, ...argv]).toString();
    const p = new NftablesProvider({ executor: netnsExecutor(ns), nodeName: testNodeName, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.0.0.0/8' });
    const input = overallInput();
    const resync: ProxyChanges = { ...partial([]), resync: true };
    await p.sync(input.serviceMap, input.endpointsMap, full);
    await p.sync(input.serviceMap, input.endpointsMap, resync);
    assert.equal(p.lastSync?.table, 'present');
    assert.equal(p.lastSync?.full, false);
    // A firewall reload that replaces the whole ruleset.
    inNs('nft', 'flush', 'ruleset');
    assert.throws(() => inNs('nft', 'list', 'table', 'ip', 'kube-proxy'));
    await p.sync(input.serviceMap, input.endpointsMap, resync);
    assert.equal(p.lastSync?.table, 'missing');
    assert.equal(p.lastSync?.full, true);
    assert.match(inNs('nft', 'list', 'table', 'ip', 'kube-proxy'), /chain service-LAUZTJTB-ns4\/svc4\/tcp\/p80 \{/);
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
});
