// The Provider against a fake executor (the process boundary): what it runs, in what order, and
// what the restore input holds for full, partial, failed and timed syncs, conntrack and stop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { IptablesProvider } from '../../../src/proxy/iptables/provider.js';
import { endpointChainName, serviceChains } from '../../../src/proxy/iptables/names.js';
import type { ProxyChanges } from '../../../src/proxy/provider.js';
import type { RuleExecutor } from '../../../src/proxy/rules.js';

class FakeExecutor implements RuleExecutor {
  calls: { argv: string[]; input?: string }[] = [];
  save = '*nat\n:PREROUTING ACCEPT [0:0]\n:KUBE-SVC-OLDOLDOLDOLDOLD1 - [0:0]\n:DOCKER - [0:0]\nCOMMIT\n*filter\n:INPUT ACCEPT [0:0]\nCOMMIT\n';
  restoreCode = 0;
  conntrackStderr = '';
  /** Tables holding KUBE-PROXY-CANARY, as the restores left them (tests delete to simulate a flush). */
  canaries = new Set<string>();
  async run(argv: string[], input?: string) {
    this.calls.push({ argv, ...(input !== undefined ? { input } : {}) });
    if (argv[0] === 'iptables-save') return { code: 0, stdout: this.save, stderr: '' };
    if (argv[0] === 'iptables-restore') {
      if (!this.restoreCode) {
        let table = '';
        for (const l of (input ?? '').split('\n')) {
          if (l.startsWith('*')) table = l.slice(1);
          else if (l.startsWith(':KUBE-PROXY-CANARY ')) this.canaries.add(table);
        }
      }
      return { code: this.restoreCode, stdout: '', stderr: this.restoreCode ? 'iptables-restore: line 3 failed' : '' };
    }
    if (argv[0] === 'iptables' && argv.includes('-S')) {
      const table = argv[argv.indexOf('-t') + 1]!;
      if (this.canaries.has(table) && argv[argv.length - 1] === 'KUBE-PROXY-CANARY') return { code: 0, stdout: '-N KUBE-PROXY-CANARY\n', stderr: '' };
      // What iptables-nft 1.8.9 prints for a chain that does not exist.
      return { code: 1, stdout: '', stderr: `iptables v1.8.9 (nf_tables): chain \`KUBE-PROXY-CANARY' in table \`${table}' is incompatible, use 'nft' tool.` };
    }
    return { code: 1, stdout: '', stderr: this.conntrackStderr || 'conntrack v1.4.7 (conntrack-tools): 0 flow entries have been deleted.' };
  }
  tools(): string[] {
    return this.calls.map((c) => c.argv[0]!);
  }
  lastRestore(): string {
    return [...this.calls].reverse().find((c) => c.argv[0] === 'iptables-restore')!.input!;
  }
}

const node = 'node-a';
const changes = (full: boolean, names: string[] = [], resync = false): ProxyChanges => ({ full, resync, services: new Set(names), endpoints: new Set(), nodeLabels: {} });
const tcp80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const }];
const udp53 = [{ name: 'dns', port: 53, protocol: 'UDP' as const }];

function maps(svc2Endpoints: string[]) {
  return buildMaps(
    node,
    [
      svc('ns1', 'a', { clusterIP: '10.96.0.11', ports: tcp80 }),
      svc('ns1', 'b', { type: 'NodePort', clusterIP: '10.96.0.12', ports: [{ ...udp53[0]!, nodePort: 30053 }] }),
    ],
    [
      slice('ns1', 'a', 'a-1', [ep('10.244.1.2'), ep('10.244.1.3')], tcp80),
      slice('ns1', 'b', 'b-1', svc2Endpoints.map((ip) => ep(ip)), udp53),
    ],
  );
}

function provider(fake: FakeExecutor, extra: { now?: () => number; fullSyncPeriodMs?: number; omitUnchangedChains?: boolean; checkPeriodMs?: number; ownsTables?: boolean; layout?: 'upstream' } = {}) {
  return new IptablesProvider({ nodeName: node, nodeIPs: ['172.30.0.2'], clusterCIDR: '10.244.0.0/16', executor: fake, ...extra });
}

const aSvc = serviceChains('ns1/a:p80', 'tcp').cluster;
const bSvc = serviceChains('ns1/b:dns', 'udp').cluster;

test('first sync is full: one iptables-save, one iptables-restore --noflush, jumps added, stale chains flushed then deleted', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake);
  const { sm, em } = maps(['10.244.2.2']);
  await p.sync(sm, em, changes(false));
  assert.deepEqual(fake.tools().slice(0, 2), ['iptables-save', 'iptables-restore']);
  const restore = fake.calls[1]!;
  assert.deepEqual(restore.argv, ['iptables-restore', '-w', '5', '--noflush', '--counters']);
  const text = restore.input!;
  assert.match(text, /^-I PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES$/m);
  assert.match(text, /^-I INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES$/m);
  assert.match(text, /^-I POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING$/m);
  assert.equal(text.match(/^-I /gm)!.length, 14);
  // The -I lines sit inside their own table's section.
  const nat = text.slice(text.indexOf('*nat'));
  assert.match(nat, /-I PREROUTING/);
  assert.doesNotMatch(nat, /-I INPUT/);
  // Ours and stale: flushed by a chain line and deleted; somebody else's DOCKER chain untouched.
  assert.match(text, /^:KUBE-SVC-OLDOLDOLDOLDOLD1 - \[0:0\]$/m);
  assert.match(text, /^-X KUBE-SVC-OLDOLDOLDOLDOLD1$/m);
  assert.doesNotMatch(text, /DOCKER/);
  assert.equal(p.lastSync!.full, true);
});

test('ownsTables: a full sync restores the tables whole (no --noflush, no iptables-save), every jump appended in the order inserts would leave; partial syncs merge', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake, { ownsTables: true });
  const { sm, em } = maps(['10.244.2.2']);
  await p.sync(sm, em, changes(false));
  assert.deepEqual(fake.tools().filter((t) => t.startsWith('iptables')), ['iptables-restore']);
  assert.deepEqual(fake.calls[0]!.argv, ['iptables-restore', '-w', '5', '--counters']);
  const text = fake.calls[0]!.input!;
  assert.doesNotMatch(text, /^-I /m);
  assert.equal(text.match(/^-A (PREROUTING|INPUT|FORWARD|OUTPUT|POSTROUTING) /gm)!.length, 14, 'every jump, present or not');
  // The merge inserts KUBE-EXTERNAL-SERVICES first and KUBE-PROXY-FIREWALL later, each at the top: the firewall ends first.
  const input = text.split('\n').filter((l) => l.startsWith('-A INPUT '));
  assert.ok(input.findIndex((l) => l.includes('KUBE-PROXY-FIREWALL')) < input.findIndex((l) => l.includes('KUBE-EXTERNAL-SERVICES')), input.join('\n'));
  const nat = text.slice(text.indexOf('*nat'));
  assert.match(nat, /^-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES$/m);
  assert.doesNotMatch(nat, /-A INPUT/);
  // Nothing to delete: a whole restore drops every chain it does not name.
  assert.doesNotMatch(text, /^-X /m);
  assert.match(text, /^\*mangle\n:KUBE-PROXY-CANARY - \[0:0\]\nCOMMIT$/m);
  await p.sync(maps(['10.244.2.3']).sm, maps(['10.244.2.3']).em, changes(false, ['ns1/b']));
  assert.deepEqual([...fake.calls].reverse().find((c) => c.argv[0] === 'iptables-restore')!.argv, ['iptables-restore', '-w', '5', '--noflush', '--counters']);
  assert.equal(p.lastSync!.full, false);
});

test('jump rules already present are not added again', async () => {
  const fake = new FakeExecutor();
  fake.save = '*nat\n:PREROUTING ACCEPT [0:0]\n-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES\nCOMMIT\n';
  const { sm, em } = maps(['10.244.2.2']);
  await provider(fake).sync(sm, em, changes(true));
  const text = fake.lastRestore();
  assert.doesNotMatch(text, /-I PREROUTING/);
  assert.match(text, /-I OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES/);
});

test('partial sync rewrites only the changed Service chains and deletes its stale SEP chain; no iptables-save', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake, { layout: 'upstream' });
  const before = maps(['10.244.2.2', '10.244.2.3']);
  await p.sync(before.sm, before.em, changes(true));
  fake.calls = [];
  const after = maps(['10.244.2.2']);
  await p.sync(after.sm, after.em, { ...changes(false), endpoints: new Set(['ns1/b']) });
  assert.equal(fake.tools()[0], 'iptables-restore');
  assert.ok(!fake.tools().includes('iptables-save'));
  const text = fake.lastRestore();
  assert.match(text, new RegExp(`^:${bSvc} - \\[0:0\\]$`, 'm'));
  assert.doesNotMatch(text, new RegExp(`^:${aSvc} `, 'm'), 'unchanged Service chain not rewritten');
  // Only b's endpoints changed: KUBE-SERVICES and the filter chains are what the kernel holds already.
  assert.doesNotMatch(text, /^:KUBE-SERVICES /m, 'an unchanged KUBE-SERVICES is left out');
  assert.doesNotMatch(text, /^-A KUBE-SERVICES /m);
  assert.ok(p.lastSync!.omittedChains >= 1);
  const gone = endpointChainName('ns1/b:dns', 'udp', '10.244.2.3:53');
  assert.match(text, new RegExp(`^:${gone} - \\[0:0\\]$`, 'm'));
  assert.match(text, new RegExp(`^-X ${gone}$`, 'm'));
  assert.equal(p.lastSync!.full, false);
  assert.equal(p.lastSync!.deletedChains, 1);
});

test('a partial sync writes KUBE-SERVICES again once its rules change, and whole', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake);
  const one = maps(['10.244.2.2']);
  await p.sync(one.sm, one.em, changes(true));
  // b loses its last endpoint: its KUBE-SERVICES rule changes (no KUBE-SVC jump any more).
  const none = maps([]);
  await p.sync(none.sm, none.em, { ...changes(false), endpoints: new Set(['ns1/b']) });
  const text = fake.lastRestore();
  assert.match(text, /^:KUBE-SERVICES - \[0:0\]$/m);
  assert.match(text, new RegExp(`^-A KUBE-SERVICES .* -j ${aSvc}$`, 'm'), 'written whole: unchanged rules too');
  assert.doesNotMatch(text, new RegExp(`^-A KUBE-SERVICES .* -j ${bSvc}$`, 'm'));
  // And back: the same change again is written again, since the kernel holds the other version now.
  await p.sync(one.sm, one.em, { ...changes(false), endpoints: new Set(['ns1/b']) });
  assert.match(fake.lastRestore(), new RegExp(`^-A KUBE-SERVICES .* -j ${bSvc}$`, 'm'));
  // With the option off, every partial sync writes the base chains, as upstream's does.
  const up = provider(new FakeExecutor(), { omitUnchangedChains: false });
  await up.sync(one.sm, one.em, changes(true));
  await up.sync(one.sm, one.em, { ...changes(false), endpoints: new Set(['ns1/b']) });
  assert.equal(up.lastSync!.omittedChains, 0);
});

test('a failed restore throws, and the next sync is full even if the framework asks for partial', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake);
  const { sm, em } = maps(['10.244.2.2']);
  await p.sync(sm, em, changes(true));
  fake.restoreCode = 1;
  await assert.rejects(p.sync(sm, em, changes(false, ['ns1/a'])), /iptables-restore failed \(exit 1\).*line 3/s);
  fake.restoreCode = 0;
  fake.calls = [];
  await p.sync(sm, em, changes(false, ['ns1/a']));
  assert.equal(fake.tools()[0], 'iptables-save');
  assert.equal(p.lastSync!.full, true);
  assert.match(fake.lastRestore(), new RegExp(`^:${aSvc} `, 'm'));
});

test('a full resync happens once fullSyncPeriodMs has passed', async () => {
  const fake = new FakeExecutor();
  let t = 1_000_000;
  const p = provider(fake, { now: () => t, fullSyncPeriodMs: 60_000 });
  const { sm, em } = maps(['10.244.2.2']);
  await p.sync(sm, em, changes(true));
  t += 30_000;
  await p.sync(sm, em, changes(false));
  assert.equal(p.lastSync!.full, false);
  t += 31_000;
  await p.sync(sm, em, changes(false));
  assert.equal(p.lastSync!.full, true);
});

test('full syncs declare KUBE-PROXY-CANARY in mangle, nat and filter; partial syncs do not', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake);
  const { sm, em } = maps(['10.244.2.2']);
  await p.sync(sm, em, changes(true));
  const text = fake.lastRestore();
  assert.match(text, /^\*mangle\n:KUBE-PROXY-CANARY - \[0:0\]\nCOMMIT\n\*filter\n:KUBE-PROXY-CANARY - \[0:0\]\n/);
  assert.match(text, /^\*nat\n:KUBE-PROXY-CANARY - \[0:0\]\n/m);
  assert.deepEqual([...fake.canaries].sort(), ['filter', 'mangle', 'nat']);
  await p.sync(sm, em, changes(false, ['ns1/a']));
  assert.doesNotMatch(fake.lastRestore(), /CANARY|\*mangle/);
});

test('the periodic resync is partial while the canaries exist: three iptables -S, no iptables-save, fixed chains written whole as upstream', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake);
  const { sm, em } = maps(['10.244.2.2']);
  await p.sync(sm, em, changes(true));
  fake.calls = [];
  await p.sync(sm, em, changes(false, [], true));
  assert.equal(p.lastSync!.full, false);
  assert.equal(p.lastSync!.canary, 'present');
  assert.deepEqual(
    fake.calls.filter((c) => c.argv[0] === 'iptables').map((c) => c.argv.join(' ')),
    ['mangle', 'nat', 'filter'].map((t) => `iptables -w 5 -t ${t} -S KUBE-PROXY-CANARY`),
  );
  assert.ok(!fake.tools().includes('iptables-save'));
  // Nothing changed: no Service chain is written again, but KUBE-SERVICES is, whole, so an
  // outside edit of a fixed chain the canaries cannot see is undone within a resync period.
  assert.doesNotMatch(fake.lastRestore(), /^:KUBE-(SVC|SEP)-/m);
  assert.match(fake.lastRestore(), /^:KUBE-SERVICES - \[0:0\]$/m);
  assert.match(fake.lastRestore(), new RegExp(`^-A KUBE-SERVICES .* -j ${aSvc}$`, 'm'));
  assert.equal(p.lastSync!.omittedChains, 0);
  // An ordinary partial sync right after still leaves them out.
  await p.sync(sm, em, { ...changes(false), endpoints: new Set(['ns1/b']) });
  assert.doesNotMatch(fake.lastRestore(), /^:KUBE-SERVICES /m);
});

test('a resync after an outside flush (canary gone) is full: iptables-save, every chain and the canaries written again', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake);
  const { sm, em } = maps(['10.244.2.2']);
  await p.sync(sm, em, changes(true));
  // A firewall reload flushed nat (and with it our chains); mangle's canary survived.
  fake.canaries.delete('nat');
  fake.calls = [];
  await p.sync(sm, em, changes(false, [], true));
  assert.equal(p.lastSync!.canary, 'missing');
  assert.equal(p.lastSync!.full, true);
  assert.deepEqual(
    fake.calls.filter((c) => c.argv[0] === 'iptables').map((c) => c.argv[4]),
    ['mangle', 'nat'],
    'stops at the first missing canary',
  );
  assert.ok(fake.tools().includes('iptables-save'));
  const text = fake.lastRestore();
  assert.match(text, new RegExp(`^:${aSvc} `, 'm'));
  assert.match(text, new RegExp(`^:${bSvc} `, 'm'));
  assert.match(text, /^\*nat\n:KUBE-PROXY-CANARY /m);
  assert.deepEqual([...fake.canaries].sort(), ['filter', 'mangle', 'nat']);
  // Healed: the next resync finds every canary again and stays partial.
  await p.sync(sm, em, changes(false, [], true));
  assert.equal(p.lastSync!.full, false);
});

test('partial syncs check the canaries once checkPeriodMs has passed even without a resync', async () => {
  const fake = new FakeExecutor();
  let t = 1_000_000;
  const p = provider(fake, { now: () => t, checkPeriodMs: 10_000 });
  const { sm, em } = maps(['10.244.2.2']);
  await p.sync(sm, em, changes(true));
  t += 5_000;
  await p.sync(sm, em, changes(false, ['ns1/a']));
  assert.equal(p.lastSync!.canary, 'unchecked');
  fake.canaries.clear();
  t += 5_000;
  await p.sync(sm, em, changes(false, ['ns1/a']));
  assert.equal(p.lastSync!.canary, 'missing');
  assert.equal(p.lastSync!.full, true);
});

test('stale UDP conntrack entries are deleted when an endpoint goes away; "0 flow entries" is not an error', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake);
  const before = maps(['10.244.2.2', '10.244.2.3']);
  await p.sync(before.sm, before.em, changes(true));
  fake.calls = [];
  const after = maps(['10.244.2.2']);
  await p.sync(after.sm, after.em, { ...changes(false), endpoints: new Set(['ns1/b']) });
  const ct = fake.calls.filter((c) => c.argv[0] === 'conntrack').map((c) => c.argv.join(' '));
  assert.deepEqual(ct, [
    'conntrack -D --orig-dst 10.96.0.12 --dst-nat 10.244.2.3 -p udp',
    'conntrack -D -p udp --dport 30053 --dst-nat 10.244.2.3',
  ]);
  assert.equal(p.lastSync!.conntrackDeletes, 2);
});

test('a UDP Service getting its first endpoint clears entries left by the REJECT', async () => {
  const fake = new FakeExecutor();
  const p = provider(fake);
  const none = maps([]);
  await p.sync(none.sm, none.em, changes(true));
  assert.ok(!fake.tools().includes('conntrack'));
  fake.calls = [];
  const one = maps(['10.244.2.2']);
  await p.sync(one.sm, one.em, { ...changes(false), endpoints: new Set(['ns1/b']) });
  const ct = fake.calls.filter((c) => c.argv[0] === 'conntrack').map((c) => c.argv.join(' '));
  assert.deepEqual(ct, ['conntrack -D --orig-dst 10.96.0.12 -p udp', 'conntrack -D -p udp --dport 30053']);
});

test('cleanup deletes the jump rules present and flushes + deletes only our chains, in one restore', async () => {
  const fake = new FakeExecutor();
  fake.save = [
    '*filter',
    ':INPUT ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-FIREWALL - [0:0]',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    'COMMIT',
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':KUBE-SERVICES - [0:0]',
    ':KUBE-SEP-AAAAAAAAAAAAAAAA - [0:0]',
    ':DOCKER - [0:0]',
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    'COMMIT',
    '',
  ].join('\n');
  await provider(fake).cleanup();
  assert.deepEqual(fake.tools(), ['iptables-save', 'iptables-restore']);
  const text = fake.lastRestore();
  assert.match(text, /^-D INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS$/m);
  assert.match(text, /^-D PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES$/m);
  assert.match(text, /^-X KUBE-SEP-AAAAAAAAAAAAAAAA$/m);
  assert.doesNotMatch(text, /DOCKER|KUBE-FIREWALL/);
  // Deletions of jumps come before the chain deletions that need them gone.
  assert.ok(text.indexOf('-D PREROUTING') < text.indexOf('-X KUBE-SERVICES', text.indexOf('*nat')));
});

test('cleanup removes the canaries too, with a mangle section only when mangle holds one', async () => {
  const fake = new FakeExecutor();
  fake.save = '*mangle\n:PREROUTING ACCEPT [0:0]\n:KUBE-PROXY-CANARY - [0:0]\nCOMMIT\n*nat\n:KUBE-PROXY-CANARY - [0:0]\nCOMMIT\n*filter\n:KUBE-PROXY-CANARY - [0:0]\nCOMMIT\n';
  await provider(fake).cleanup();
  const text = fake.lastRestore();
  for (const t of ['mangle', 'nat', 'filter']) assert.match(text, new RegExp(`\\*${t}\\n:KUBE-PROXY-CANARY - \\[0:0\\]\\n-X KUBE-PROXY-CANARY\\nCOMMIT`));
  fake.save = '*nat\n:PREROUTING ACCEPT [0:0]\nCOMMIT\n';
  await provider(fake).cleanup();
  assert.doesNotMatch(fake.lastRestore(), /mangle|CANARY/);
});
