// One contract every kernel mode's Provider keeps (the part src/proxy/kernel-sync.ts decides for all
// of them), run against each mode with a fake executor at the process boundary: the first sync is
// full; a sync after a failure, after stop() or after FullSyncPeriod is full; the periodic resync is
// partial when the mode's cheap check finds its data plane (iptables, nftables) and full when it is
// gone or the mode has no such check (IPVS); stale UDP conntrack entries are deleted only after a
// successful sync.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from './fixtures.js';
import { IptablesProvider } from '../../src/proxy/iptables/provider.js';
import { IpvsProvider } from '../../src/proxy/ipvs/provider.js';
import { NftablesProvider } from '../../src/proxy/nftables/provider.js';
import type { KernelSyncOptions } from '../../src/proxy/kernel-sync.js';
import type { Provider, ProxyChanges } from '../../src/proxy/provider.js';
import type { RuleExecutor } from '../../src/proxy/rules.js';

/** Answers every tool as a kernel that accepts everything would, with switches for the failures under test. */
class FakeKernel implements RuleExecutor {
  calls: string[][] = [];
  /** The mode's data plane was removed behind its back (its cheap check fails). */
  dataPlaneGone = false;
  /** The next apply (iptables-restore, nft -f, ipvsadm -R) fails. */
  failApply = false;

  constructor(private readonly isCheck: (argv: string[]) => boolean, private readonly isApply: (argv: string[]) => boolean) {}

  async run(argv: string[]) {
    this.calls.push(argv);
    if (this.isCheck(argv)) return this.dataPlaneGone ? { code: 1, stdout: '', stderr: 'No such file or directory' } : { code: 0, stdout: '', stderr: '' };
    if (this.isApply(argv) && this.failApply) {
      this.failApply = false;
      return { code: 1, stdout: '', stderr: 'refused by the fake kernel' };
    }
    if (argv[0] === 'conntrack') return { code: 1, stdout: '', stderr: '0 flow entries have been deleted.' };
    if (argv[0] === 'iptables' && argv.includes('-C')) return { code: 0, stdout: '', stderr: '' };
    return { code: 0, stdout: '', stderr: '' };
  }

  conntrackDeletes(): string[][] {
    return this.calls.filter((a) => a[0] === 'conntrack' && a.includes('-D'));
  }
}

interface ModeUnderTest {
  name: string;
  /** Whether the periodic resync can be partial (the mode has a cheap data-plane check). */
  partialResync: boolean;
  kernel(): FakeKernel;
  provider(exec: RuleExecutor, o: KernelSyncOptions): Provider & { lastSync?: { full: boolean } | undefined };
}

const nodeName = 'node-a';
const modes: ModeUnderTest[] = [
  {
    name: 'iptables',
    partialResync: true,
    kernel: () => new FakeKernel((a) => a[0] === 'iptables' && a.includes('-S'), (a) => a[0] === 'iptables-restore'),
    provider: (executor, o) => new IptablesProvider({ nodeName, nodeIPs: ['10.0.0.2'], executor, ...o }),
  },
  {
    name: 'nftables',
    partialResync: true,
    kernel: () => new FakeKernel((a) => a[0] === 'nft' && a[1] === 'list' && a[2] === 'set', (a) => a[0] === 'nft' && a[1] === '-f'),
    provider: (executor, o) => new NftablesProvider({ nodeName, nodeIPs: ['10.0.0.2'], executor, ...o }),
  },
  {
    name: 'ipvs',
    partialResync: false,
    kernel: () => new FakeKernel(() => false, (a) => a[0] === 'ipvsadm' && a[1] === '-R'),
    provider: (executor, o) => new IpvsProvider({ nodeName, nodeIPs: ['10.0.0.2'], executor, ...o }),
  },
];

const tcp80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const }];
const udp53 = [{ name: 'dns', port: 53, protocol: 'UDP' as const }];

function maps(dnsEndpoints: string[]) {
  const { sm, em } = buildMaps(
    nodeName,
    [svc('ns1', 'web', { clusterIP: '10.96.0.11', ports: tcp80 }), svc('ns1', 'dns', { clusterIP: '10.96.0.12', ports: udp53 })],
    [slice('ns1', 'web', 'web-1', [ep('10.244.1.2')], tcp80), slice('ns1', 'dns', 'dns-1', dnsEndpoints.map((ip) => ep(ip)), udp53)],
  );
  return { sm, em };
}

const changes = (o: { full?: boolean; resync?: boolean; services?: string[] } = {}): ProxyChanges => ({
  full: o.full ?? false,
  resync: o.resync ?? false,
  services: new Set(o.services ?? ['ns1/web']),
  endpoints: new Set(),
  nodeLabels: {},
});

for (const mode of modes) {
  describe(`${mode.name} provider keeps the kernel-sync contract`, () => {
    let t = 1_000_000;
    const setup = (o: KernelSyncOptions = {}) => {
      const kernel = mode.kernel();
      const p = mode.provider(kernel, { now: () => t, conntrack: true, ...o });
      return { kernel, p };
    };

    it('makes the first sync full and the next one, for a change, partial', async () => {
      const { kernel, p } = setup();
      const { sm, em } = maps(['10.244.1.5']);
      await p.sync(sm, em, changes());
      assert.equal(p.lastSync?.full, true);
      await p.sync(sm, em, changes());
      assert.equal(p.lastSync?.full, false);
      assert.ok(kernel.calls.length > 0);
    });

    it('makes the sync after a failed one full, and rejects the failed one', async () => {
      const { kernel, p } = setup();
      const { sm, em } = maps(['10.244.1.5']);
      await p.sync(sm, em, changes());
      // A change that must reach the kernel (an unchanged Service may need no command at all).
      const moved = maps(['10.244.1.7']);
      kernel.failApply = true;
      await assert.rejects(p.sync(moved.sm, moved.em, changes({ services: ['ns1/dns'] })), /refused by the fake kernel/);
      await p.sync(moved.sm, moved.em, changes({ services: [] }));
      assert.equal(p.lastSync?.full, true);
    });

    it('makes the sync after stop() full (a restarted proxy reconciles everything)', async () => {
      const { p } = setup();
      const { sm, em } = maps(['10.244.1.5']);
      await p.sync(sm, em, changes());
      await p.stop();
      await p.sync(sm, em, changes());
      assert.equal(p.lastSync?.full, true);
    });

    it('makes a sync full once FullSyncPeriod has passed since the last full one', async () => {
      const { p } = setup({ fullSyncPeriodMs: 60_000, checkPeriodMs: 3_600_000 });
      const { sm, em } = maps(['10.244.1.5']);
      await p.sync(sm, em, changes());
      t += 30_000;
      await p.sync(sm, em, changes());
      assert.equal(p.lastSync?.full, false);
      t += 30_000;
      await p.sync(sm, em, changes());
      assert.equal(p.lastSync?.full, true);
    });

    it(`makes the periodic resync ${mode.partialResync ? 'partial while its data plane is there, full once it is gone' : 'full (it has no cheap check)'}`, async () => {
      const { kernel, p } = setup({ checkPeriodMs: 3_600_000 });
      const { sm, em } = maps(['10.244.1.5']);
      await p.sync(sm, em, changes());
      await p.sync(sm, em, changes({ resync: true, services: [] }));
      assert.equal(p.lastSync?.full, !mode.partialResync);
      kernel.dataPlaneGone = true;
      await p.sync(sm, em, changes({ resync: true, services: [] }));
      assert.equal(p.lastSync?.full, true);
    });

    it('deletes the conntrack entries of a UDP endpoint that went away, only after the sync succeeded', async () => {
      const { kernel, p } = setup();
      const before = maps(['10.244.1.5', '10.244.1.6']);
      await p.sync(before.sm, before.em, changes());
      // (A UDP Service that gained endpoints has its ClusterIP's entries cleared, as upstream does.)
      const first = kernel.conntrackDeletes().length;
      const after = maps(['10.244.1.5']);
      kernel.failApply = true;
      await assert.rejects(p.sync(after.sm, after.em, changes({ services: ['ns1/dns'] })));
      assert.equal(kernel.conntrackDeletes().length, first, 'nothing deleted while the old rules may still be in the kernel');
      await p.sync(after.sm, after.em, changes({ services: ['ns1/dns'] }));
      const deletes = kernel.conntrackDeletes().slice(first).map((a) => a.join(' '));
      assert.ok(deletes.some((d) => d.includes('10.244.1.6')), `a conntrack -D for 10.244.1.6 in ${JSON.stringify(deletes)}`);
      assert.ok(!deletes.some((d) => d.includes('10.244.1.5')), 'the endpoint that stayed keeps its entries');
    });
  });
}
