// The IPVS Provider against fake tools that keep state (kube-ipvs0 addresses, ipsets, IPVS
// servers printed back by `ipvsadm -Sn`): what a first sync creates, that an unchanged sync sends
// nothing, graceful termination, Service removal, scheduler and affinity, cleanup; plus the
// `ipvsadm -Sn` parser on upstream-format text, and startProxy refusing a kernel without IPVS.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMaps, ep, slice, svc } from '../fixtures.js';
import { IpvsProvider, checkIPVSSupport, parseIPVSSave, type IpvsProviderOptions } from '../../../src/proxy/ipvs/index.js';
import { startProxy } from '../../../src/proxy/index.js';
import type { Client } from '../../../src/client/client.js';
import type { InformerFactory } from '../../../src/client/informer-types.js';
import type { ProxyChanges } from '../../../src/proxy/provider.js';
import type { Service } from '../../../src/api/core.js';
import { FakeIPVSTools } from './fake-executor.js';

const node = 'node-a';
const full: ProxyChanges = { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} };
const partial = (names: string[]): ProxyChanges => ({ full: false, services: new Set(), endpoints: new Set(names), nodeLabels: {} });
const tcp80 = [{ name: 'p80', port: 80, protocol: 'TCP' as const }];
const tcp443 = [{ name: 'https', port: 443, protocol: 'TCP' as const }];
const udp53 = [{ name: 'dns', port: 53, protocol: 'UDP' as const }];

interface World {
  aEndpoints?: string[];
  withB?: boolean;
  bAffinity?: boolean;
  dnsEndpoints?: string[];
}

function maps(w: World = {}) {
  const services: Service[] = [svc('ns1', 'a', { clusterIP: '10.96.0.11', ports: tcp80 })];
  const slices = [slice('ns1', 'a', 'a-1', (w.aEndpoints ?? ['10.244.1.2', '10.244.1.3']).map((ip) => ep(ip)), tcp80)];
  if (w.withB ?? true) {
    services.push(svc('ns1', 'b', { clusterIP: '10.96.0.12', ports: tcp443, ...(w.bAffinity ? { sessionAffinity: 'ClientIP' as const } : {}) }));
    slices.push(slice('ns1', 'b', 'b-1', [ep('10.244.2.2')], tcp443));
  }
  if (w.dnsEndpoints) {
    services.push(svc('kube-system', 'dns', { clusterIP: '10.96.0.10', ports: udp53 }));
    slices.push(slice('kube-system', 'dns', 'dns-1', w.dnsEndpoints.map((ip) => ep(ip)), udp53));
  }
  return buildMaps(node, services, slices);
}

function setup(extra: Partial<IpvsProviderOptions> = {}) {
  const tools = new FakeIPVSTools();
  let now = 1_000_000;
  const p = new IpvsProvider({ nodeName: node, nodeIPs: ['192.168.0.2'], clusterCIDR: '10.244.0.0/16', executor: tools, now: () => now, gracePeriodMs: 60_000, ...extra });
  return { tools, p, advance: (ms: number) => (now += ms) };
}

async function sync(p: IpvsProvider, w: World, changes: ProxyChanges = full) {
  const { sm, em } = maps(w);
  await p.sync(sm, em, changes);
}

test('start creates kube-ipvs0 (tolerating an existing one) and keeps it down', async () => {
  const { tools, p } = setup();
  await p.start();
  assert.ok(tools.device);
  assert.equal(tools.deviceUp, false);
  await p.start(); // "File exists" is not an error
  assert.equal(tools.calls.filter((c) => c.argv.join(' ') === 'ip link add kube-ipvs0 type dummy').length, 2);
});

test('the first sync creates addresses, ipsets, virtual and real servers in one ipvsadm -R, the iptables rules and the jumps', async () => {
  const { tools, p } = setup();
  await p.start();
  await sync(p, {});
  assert.deepEqual([...tools.addrs].sort(), ['10.96.0.11', '10.96.0.12']);
  assert.deepEqual(tools.restores(), [
    [
      '-A -t 10.96.0.11:80 -s rr',
      '-a -t 10.96.0.11:80 -r 10.244.1.2:80 -m -w 1',
      '-a -t 10.96.0.11:80 -r 10.244.1.3:80 -m -w 1',
      '-A -t 10.96.0.12:443 -s rr',
      '-a -t 10.96.0.12:443 -r 10.244.2.2:443 -m -w 1',
    ],
  ]);
  assert.deepEqual([...(tools.ipsets.get('KUBE-CLUSTER-IP') ?? [])].sort(), ['10.96.0.11,tcp:80', '10.96.0.12,tcp:443']);
  assert.deepEqual([...(tools.ipsets.get('KUBE-IPVS-IPS') ?? [])].sort(), ['10.96.0.11', '10.96.0.12']);
  assert.equal(tools.ipsets.size, 17, 'every set is created');
  const restore = tools.calls.filter((c) => c.argv[0] === 'iptables-restore');
  assert.equal(restore.length, 1);
  assert.deepEqual(restore[0]!.argv, ['iptables-restore', '-w', '5', '--noflush']);
  assert.match(restore[0]!.input!, /--match-set KUBE-CLUSTER-IP dst,dst ! -s 10\.244\.0\.0\/16 -j KUBE-MARK-MASQ/);
  assert.equal(tools.jumps.size, 9);
  assert.ok(tools.jumps.has('nat OUTPUT -m comment --comment kubernetes service portals -j KUBE-SERVICES'));
  // Order: addresses, ipsets, IPVS, iptables (the rules match sets that must exist).
  const order = tools.calls.map((c) => c.argv.slice(0, 2).join(' '));
  const at = (s: string) => order.indexOf(s);
  assert.ok(at('ip -batch') < at('ipset restore') && at('ipset restore') < at('ipvsadm -R') && at('ipvsadm -R') < at('iptables-restore -w'), order.join(', '));
  assert.equal(p.lastSync?.ipvsadmLines, 5);
});

test('a second identical sync sends no ipvsadm, ip or ipset changes; jumps are not re-inserted', async () => {
  const { tools, p } = setup();
  await p.start();
  await sync(p, {});
  const n = tools.calls.length;
  await sync(p, {}, partial(['ns1/a']));
  await sync(p, {}, full);
  const later = tools.calls.slice(n).map((c) => c.argv.join(' '));
  assert.equal(tools.restores().length, 1, later.join('\n'));
  assert.ok(!later.includes('ip -batch -'));
  assert.ok(!later.includes('ipset restore -exist'));
  assert.ok(!later.some((c) => / -I /.test(c)), 'jumps present: only checked');
  assert.equal(tools.jumps.size, 9);
  assert.equal(p.lastSync?.ipvsadmLines, 0);
});

test('a removed TCP endpoint gets weight 0, stays through the grace period, then is deleted', async () => {
  const { tools, p, advance } = setup();
  await p.start();
  await sync(p, {});
  await sync(p, { aEndpoints: ['10.244.1.2'] }, partial(['ns1/a']));
  assert.deepEqual(tools.restores().at(-1), ['-e -t 10.96.0.11:80 -r 10.244.1.3:80 -m -w 0']);
  assert.equal(tools.vss.get('-t 10.96.0.11:80')?.rs.get('10.244.1.3:80'), 0);
  assert.equal(p.lastSync?.terminating, 1);

  advance(30_000);
  await sync(p, { aEndpoints: ['10.244.1.2'] }, partial([]));
  assert.equal(tools.restores().length, 2, 'nothing to do inside the grace period');

  advance(30_000);
  await sync(p, { aEndpoints: ['10.244.1.2'] }, partial([]));
  assert.deepEqual(tools.restores().at(-1), ['-d -t 10.96.0.11:80 -r 10.244.1.3:80']);
  assert.deepEqual([...tools.vss.get('-t 10.96.0.11:80')!.rs.keys()], ['10.244.1.2:80']);
  assert.equal(p.lastSync?.terminating, 0);
});

test('an endpoint that comes back during its grace is restored to weight 1, not re-added', async () => {
  const { tools, p, advance } = setup();
  await sync(p, {});
  await sync(p, { aEndpoints: ['10.244.1.2'] });
  advance(10_000);
  await sync(p, {});
  assert.deepEqual(tools.restores().at(-1), ['-e -t 10.96.0.11:80 -r 10.244.1.3:80 -m -w 1']);
  advance(120_000);
  await sync(p, {});
  assert.equal(tools.restores().length, 3, 'no delete after the endpoint came back');
});

test('a failed ipvsadm -R starts no grace period: the weight-0 step is retried, not skipped', async () => {
  const { tools, p, advance } = setup();
  await p.start();
  await sync(p, {});
  const orig = tools.run.bind(tools);
  let failOnce = true;
  tools.run = async (argv, input) => {
    if (failOnce && argv.join(' ') === 'ipvsadm -R') {
      failOnce = false;
      return { code: 1, stdout: '', stderr: 'Memory allocation problem' };
    }
    return orig(argv, input);
  };
  await assert.rejects(sync(p, { aEndpoints: ['10.244.1.2'] }, partial(['ns1/a'])), /ipvsadm -R failed/);
  assert.equal(tools.vss.get('-t 10.96.0.11:80')?.rs.get('10.244.1.3:80'), 1, 'the kernel still has the old weight');
  // Past the grace: had the failed sync started it, the server would now be deleted outright,
  // cutting its established connections without ever having drained at weight 0.
  advance(90_000);
  await sync(p, { aEndpoints: ['10.244.1.2'] }, partial(['ns1/a']));
  assert.deepEqual(tools.restores().at(-1), ['-e -t 10.96.0.11:80 -r 10.244.1.3:80 -m -w 0']);
  assert.equal(p.lastSync?.terminating, 1);
});

test('the periodic resync is a full sync in IPVS mode: ipset save read again, jumps re-checked', async () => {
  const { tools, p } = setup();
  await p.start();
  await sync(p, {});
  tools.calls = [];
  await sync(p, {}, partial([]));
  assert.ok(!tools.calls.some((c) => c.argv.join(' ') === 'ipset save'), 'a partial sync remembers the members');
  tools.jumps.clear(); // a firewall reload
  await sync(p, {}, { ...partial([]), resync: true });
  assert.equal(p.lastSync?.full, true);
  assert.ok(tools.calls.some((c) => c.argv.join(' ') === 'ipset save'));
  assert.ok(tools.jumps.size > 0, 'jumps inserted again');
});

test('start fails with a clear message when the kernel has no dummy link type', async () => {
  const { tools, p } = setup();
  const orig = tools.run.bind(tools);
  tools.run = async (argv, input) =>
    argv.join(' ') === 'ip link add kube-ipvs0 type dummy' ? { code: 2, stdout: '', stderr: 'Error: Unknown device type.' } : orig(argv, input);
  await assert.rejects(p.start(), (e: Error) => {
    assert.match(e.message, /proxy mode "ipvs" needs the kernel's dummy network device/);
    assert.match(e.message, /kube-ipvs0/);
    assert.match(e.message, /Unknown device type/);
    return true;
  });
  tools.run = async (argv, input) =>
    argv.join(' ') === 'ip link add kube-ipvs0 type dummy' ? { code: 2, stdout: '', stderr: 'RTNETLINK answers: Operation not permitted' } : orig(argv, input);
  await assert.rejects(p.start(), /proxy mode "ipvs" cannot create kube-ipvs0: `ip link add kube-ipvs0 type dummy` failed \(exit 2\): RTNETLINK answers: Operation not permitted/);
});

test('a removed UDP endpoint is deleted at once (upstream waits on connections only for TCP)', async () => {
  const { tools, p } = setup();
  await sync(p, { dnsEndpoints: ['10.244.3.2', '10.244.3.3'] });
  await sync(p, { dnsEndpoints: ['10.244.3.2'] });
  assert.deepEqual(tools.restores().at(-1), ['-d -u 10.96.0.10:53 -r 10.244.3.3:53']);
  // And the shared stale-UDP conntrack logic runs for the endpoint that went away.
  assert.ok(tools.calls.some((c) => c.argv.join(' ') === 'conntrack -D --orig-dst 10.96.0.10 --dst-nat 10.244.3.3 -p udp'));
});

test('a removed Service loses its virtual server (-D) and its address on kube-ipvs0, after the IPVS change', async () => {
  const { tools, p } = setup();
  await p.start();
  await sync(p, {});
  const n = tools.calls.length;
  await sync(p, { withB: false }, partial(['ns1/b']));
  assert.deepEqual(tools.restores().at(-1), ['-D -t 10.96.0.12:443']);
  assert.ok(!tools.vss.has('-t 10.96.0.12:443'));
  assert.deepEqual([...tools.addrs], ['10.96.0.11']);
  assert.deepEqual([...(tools.ipsets.get('KUBE-CLUSTER-IP') ?? [])], ['10.96.0.11,tcp:80']);
  const later = tools.calls.slice(n).map((c) => c.argv.join(' '));
  assert.ok(later.indexOf('ipvsadm -R') < later.lastIndexOf('ip -batch -'));
  const unbind = tools.calls.slice(n).find((c) => c.argv.join(' ') === 'ip -batch -');
  assert.equal(unbind?.input, 'addr del 10.96.0.12/32 dev kube-ipvs0\n');
});

test('virtual servers outside the plan are removed unless excluded (--ipvs-exclude-cidrs)', async () => {
  const { tools, p } = setup({ excludeCIDRs: ['10.10.0.0/16'] });
  tools.vss.set('-t 10.10.0.5:22', { sched: 'rr', rs: new Map([['10.10.0.6:22', 1]]) });
  tools.vss.set('-t 10.96.9.9:80', { sched: 'rr', rs: new Map() });
  await sync(p, {});
  assert.ok(tools.vss.has('-t 10.10.0.5:22'));
  assert.ok(!tools.vss.has('-t 10.96.9.9:80'));
  assert.equal(tools.restores()[0]![0], '-D -t 10.96.9.9:80');
});

test('--ipvs-scheduler shows in -A, and a scheduler change is an -E', async () => {
  const { tools, p } = setup({ scheduler: 'wlc' });
  await sync(p, { withB: false });
  assert.deepEqual(tools.restores()[0]![0], '-A -t 10.96.0.11:80 -s wlc');
  const other = new IpvsProvider({ nodeName: node, nodeIPs: ['192.168.0.2'], executor: tools, scheduler: 'sh' });
  await other.sync(maps({ withB: false }).sm, maps({ withB: false }).em, full);
  assert.deepEqual(tools.restores().at(-1), ['-E -t 10.96.0.11:80 -s sh']);
});

test('ClientIP affinity becomes persistence -p 10800; turning it off is an -E without -p', async () => {
  const { tools, p } = setup();
  await sync(p, { bAffinity: true });
  assert.ok(tools.restores()[0]!.includes('-A -t 10.96.0.12:443 -s rr -p 10800'));
  assert.equal(tools.vss.get('-t 10.96.0.12:443')?.persist, 10800);
  await sync(p, {});
  assert.deepEqual(tools.restores().at(-1), ['-E -t 10.96.0.12:443 -s rr']);
});

test('a failed ipvsadm -R fails the sync; the next sync re-reads the kernel and finishes the job', async () => {
  const { tools, p } = setup();
  // A virtual server already present makes the fake's -A fail halfway, as ipvsadm would.
  tools.vss.set('-t 10.96.0.12:443', { sched: 'rr', rs: new Map() });
  const orig = tools.run.bind(tools);
  let failOnce = true;
  tools.run = async (argv, input) => {
    if (failOnce && argv.join(' ') === 'ipvsadm -R') {
      failOnce = false;
      await orig(argv, (input ?? '').split('\n').slice(0, 2).join('\n'));
      return { code: 1, stdout: '', stderr: 'Service already exists' };
    }
    return orig(argv, input);
  };
  await assert.rejects(sync(p, {}), /ipvsadm -R failed.*Service already exists/);
  await sync(p, {}, partial([]));
  assert.deepEqual(tools.vss.get('-t 10.96.0.11:80')?.rs, new Map([['10.244.1.2:80', 1], ['10.244.1.3:80', 1]]));
  assert.deepEqual(tools.vss.get('-t 10.96.0.12:443')?.rs, new Map([['10.244.2.2:443', 1]]));
  assert.equal(p.lastSync?.full, true, 'a sync after a failure is full');
});

test('cleanup removes the virtual servers, jumps, ipsets and kube-ipvs0', async () => {
  const { tools, p } = setup();
  await p.start();
  await sync(p, {});
  tools.run = ((orig) => async (argv: string[], input?: string) => {
    const cmd = argv.join(' ');
    if (cmd.startsWith('ipset destroy ')) {
      tools.calls.push({ argv });
      return tools.ipsets.delete(argv[2]!) ? { code: 0, stdout: '', stderr: '' } : { code: 1, stdout: '', stderr: 'The set with the given name does not exist' };
    }
    if (cmd === 'ip link del kube-ipvs0') {
      tools.calls.push({ argv });
      tools.device = false;
      tools.addrs.clear();
      return { code: 0, stdout: '', stderr: '' };
    }
    return orig(argv, input);
  })(tools.run.bind(tools));
  await p.cleanup();
  assert.equal(tools.vss.size, 0);
  assert.equal(tools.jumps.size, 0);
  assert.equal(tools.ipsets.size, 0);
  assert.equal(tools.device, false);
  const restore = tools.calls.filter((c) => c.argv[0] === 'iptables-restore').at(-1)!;
  assert.match(restore.input!, /^-X KUBE-IPVS-FILTER$/m);
  await p.cleanup(); // nothing left: still fine
});

test('parseIPVSSave reads ipvsadm -Sn in its own format', () => {
  const st = parseIPVSSave(
    [
      '-A -t 10.96.0.1:443 -s rr',
      '-a -t 10.96.0.1:443 -r 172.30.0.1:6443 -m -w 1',
      '-A -u 10.96.0.10:53 -s wlc -p 10800',
      '-a -u 10.96.0.10:53 -r 10.244.0.5:53 -m -w 0',
      '-a -u 10.96.0.10:53 -r 10.244.0.6:53 -g -w 3',
      '-A --sctp-service 10.96.0.20:3868 -s sh -b sh-port',
      '-A -f 100 -s rr',
      '-a -f 100 -r 10.0.0.1:0 -m -w 1',
      '-A -t [fd00::1]:80 -s rr',
      '',
    ].join('\n'),
  );
  assert.deepEqual([...st.keys()], ['-t 10.96.0.1:443', '-u 10.96.0.10:53', '--sctp-service 10.96.0.20:3868']);
  const api = st.get('-t 10.96.0.1:443')!;
  assert.equal(api.scheduler, 'rr');
  assert.equal(api.persistentTimeout, undefined);
  assert.deepEqual([...api.realServers.values()], [{ address: '172.30.0.1:6443', weight: 1, method: '-m' }]);
  const dns = st.get('-u 10.96.0.10:53')!;
  assert.equal(dns.protocol, 'UDP');
  assert.equal(dns.persistentTimeout, 10800);
  assert.deepEqual([...dns.realServers.values()], [
    { address: '10.244.0.5:53', weight: 0, method: '-m' },
    { address: '10.244.0.6:53', weight: 3, method: '-g' },
  ]);
  assert.equal(st.get('--sctp-service 10.96.0.20:3868')!.scheduler, 'sh');
  assert.equal(parseIPVSSave('').size, 0);
});

test('startProxy mode ipvs stops with ipvsUnsupportedMessage on a kernel without IPVS', { skip: checkIPVSSupport().ok ? 'this kernel has IPVS' : false }, async () => {
  // newProvider runs before anything touches the client or informers.
  const client = {} as unknown as Client;
  const informers = {} as unknown as InformerFactory;
  await assert.rejects(
    startProxy(client, informers, { nodeName: node, nodeIP: '192.168.0.2', mode: 'ipvs', ipvsScheduler: 'wlc', metricsPort: 0, healthzPort: 0 }),
    /proxy mode "ipvs" needs the kernel's IP Virtual Server support/,
  );
});
