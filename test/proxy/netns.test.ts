// startProxy's kernel modes for `kubesvc up --network netns`, against a real API server: a node
// namespace this test creates (kspx<pid>, deleted by that name), an endpoint server inside it,
// and connections to the ClusterIP made from inside it. For iptables, then nftables: traffic
// reaches the endpoint, is refused once the endpoint is gone, the rules are in the namespace
// (nftables: with serviceCIDR an unallocated ClusterIP is dropped, not refused),
// and the host's own tables and route_localnet are unchanged. Skipped without root and the tools.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Service } from '../../src/api/core.js';
import type { EndpointSlice } from '../../src/api/discovery.js';
import { R } from '../../src/client/resources.js';
import { startProxy, type RunningProxy } from '../../src/proxy/index.js';
import { startProxyTestCluster, type ProxyTestCluster } from './cluster.js';
import { ep, sleep, slice, svc } from './fixtures.js';
import { parsePrometheusText, type Sample } from '../../src/util/prometheus-text.js';

function canRun(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux';
  for (const argv of [['ip', '-V'], ['iptables-save', '--version'], ['iptables-restore', '--version'], ['nft', '--version'], ['sysctl', '--version']]) {
    if (spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' }).status !== 0) return `needs ${argv[0]}`;
  }
  return undefined;
}

const ns = `kspx${process.pid}`;
const nodeIP = '10.240.0.1';
const endpointIP = '10.240.0.2';
const serviceCIDR = '127.96.0.0/16';
const inNs = (...argv: string[]): string => execFileSync('ip', ['netns', 'exec', ns, ...argv], { encoding: 'utf8' });

/** The host's state this test must not change; counters and timestamps vary by themselves. */
function hostState(): string {
  const nat = execFileSync('iptables-save', ['-t', 'nat'], { encoding: 'utf8' })
    .split('\n')
    .filter((l) => !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, ''));
  const nft = execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' }).replace(/packets \d+ bytes \d+/g, '');
  const localnet = execFileSync('sysctl', ['-n', 'net.ipv4.conf.all.route_localnet'], { encoding: 'utf8' });
  return `${nat.join('\n')}\n---\n${nft}\n---\n${localnet}`;
}

/** One TCP connection from inside the namespace: the server's answer, the error code, or "timeout". */
function connectInNs(ip: string, port: number): Promise<string> {
  const code = `
const s = require('net').connect(${port}, '${ip}');
const t = setTimeout(() => { console.log('timeout'); process.exit(0); }, 1000);
s.on('data', (d) => { process.stdout.write(d); clearTimeout(t); s.destroy(); });
s.on('error', (e) => { console.log(e.code); clearTimeout(t); });`;
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.trim()));
  });
}

async function until(what: string, fn: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const skip = canRun();
describe('startProxy kernel modes in a node network namespace', { skip, timeout: 120_000 }, () => {
  let cluster: ProxyTestCluster;
  let server: ChildProcess | undefined;
  let hostBefore = '';

  before(async () => {
    hostBefore = hostState();
    execFileSync('ip', ['netns', 'add', ns]);
    const ipn = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    ipn('link', 'set', 'lo', 'up');
    // Every address lives on a link inside the namespace, none on the host: a dummy link, or
    // where the kernel has no dummy module, a veth pair with both ends in the namespace.
    try {
      ipn('link', 'add', 'kspx0', 'type', 'dummy');
    } catch {
      ipn('link', 'add', 'kspx0', 'type', 'veth', 'peer', 'name', 'kspx1');
      ipn('link', 'set', 'kspx1', 'up');
    }
    ipn('link', 'set', 'kspx0', 'up');
    ipn('addr', 'add', `${nodeIP}/24`, 'dev', 'kspx0');
    ipn('addr', 'add', `${endpointIP}/32`, 'dev', 'kspx0');
    server = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, '-e', `require('net').createServer((s) => s.end('hello from ${endpointIP}\\n')).listen(8080, '${endpointIP}', () => console.log('up'))`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      server!.stdout!.on('data', (b: Buffer) => b.toString().includes('up') && resolve());
      server!.on('exit', (c) => reject(new Error(`endpoint server exited (${c})`)));
    });
    cluster = await startProxyTestCluster('local');
  });

  after(async () => {
    // `ip netns exec` execs node in place, so this PID is the server itself.
    if (server?.pid !== undefined && server.exitCode === null) process.kill(server.pid);
    await cluster?.stop();
    spawnSync('ip', ['netns', 'delete', ns]);
  });

  const iptables = { mode: 'iptables' as const, rules: () => inNs('iptables-save') };
  const nftables = { mode: 'nftables' as const, rules: () => inNs('nft', 'list', 'table', 'ip', 'kube-proxy') };
  // Each mode in its default layout (inline) and in upstream's.
  const modes = [
    { ...iptables, layout: 'inline' as const },
    { ...nftables, layout: 'inline' as const },
    { ...iptables, layout: 'upstream' as const },
    { ...nftables, layout: 'upstream' as const },
  ];

  for (const m of modes) {
    test(`${m.mode} (${m.layout} layout): ClusterIP reaches the endpoint in the namespace, refused once it is gone`, async () => {
      const proxy: RunningProxy = await startProxy(cluster.client, cluster.informers, {
        nodeName: 'node-a',
        nodeIP,
        mode: m.mode,
        layout: m.layout,
        netns: ns,
        clusterCIDR: '10.240.0.0/16',
        // The test API server's ClusterIP range (test/support/apiserver.ts); only nftables uses it.
        serviceCIDR,
        metricsPort: 0,
        healthzPort: 0,
      });
      const name = `web-${m.mode}-${m.layout}`;
      try {
        assert.equal(proxy.provider.mode, m.mode);
        await until('first sync', () => proxy.ready());
        const created = await cluster.client.create<Service>(R.services, 'default', svc('default', name, { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] }));
        const clusterIP = created.spec.clusterIP!;
        await cluster.client.create<EndpointSlice>(
          R.endpointslices,
          'default',
          slice('default', name, `${name}-1`, [ep(endpointIP, { nodeName: 'node-a' })], [{ name: 'http', port: 8080, protocol: 'TCP' }]),
        );
        let last = '';
        await until(`${clusterIP}:80 to answer`, async () => (last = await connectInNs(clusterIP, 80)) === `hello from ${endpointIP}`).catch((e: Error) => {
          throw new Error(`${e.message}; last answer ${JSON.stringify(last)}\n${m.rules()}`);
        });
        assert.match(m.rules(), new RegExp(clusterIP.replaceAll('.', '\\.')));
        // The endpoint is chosen by a chain of its own only in upstream's layout.
        const endpointChain = m.mode === 'iptables' ? /^:KUBE-SEP-/m : /chain endpoint-/;
        if (m.layout === 'upstream') assert.match(m.rules(), endpointChain);
        else assert.doesNotMatch(m.rules(), endpointChain);
        if (m.mode === 'iptables') assert.equal(inNs('sysctl', '-n', 'net.ipv4.conf.all.route_localnet').trim(), '1');
        // An address of the service range no Service has: in 127/8, so refused by the kernel
        // without a rule (iptables), dropped by cluster-ips-check with serviceCIDR (nftables).
        const inUse = new Set((await cluster.client.list<Service>(R.services, 'default')).items.map((s) => s.spec.clusterIP));
        const unallocated = ['127.96.255.254', '127.96.255.253', '127.96.255.252'].find((ip) => !inUse.has(ip))!;
        if (m.mode === 'nftables') {
          assert.match(m.rules(), new RegExp(`ip daddr ${serviceCIDR.replaceAll('.', '\\.')} drop comment "Drop traffic to unallocated ClusterIPs"`));
          assert.equal(await connectInNs(unallocated, 80), 'timeout');
        } else {
          assert.equal(await connectInNs(unallocated, 80), 'ECONNREFUSED');
        }

        // The metrics listener is the host's 127.0.0.1 with the port asked for (0 here).
        const mode = await fetch(`http://127.0.0.1:${proxy.metricsPort}/proxyMode`).then((r) => r.text());
        assert.equal(mode, m.mode);

        // Traffic figures from the namespace's conntrack table: every connection through the
        // ClusterIP counted on its endpoint, with its bytes (accounting is on in the node's namespace).
        for (let i = 0; i < 3; i++) assert.equal(await connectInNs(clusterIP, 80), `hello from ${endpointIP}`);
        const figures = async () =>
          parsePrometheusText(await fetch(`http://127.0.0.1:${proxy.metricsPort}/metrics`).then((r) => r.text()), (n) => n.startsWith('kubesvc_proxy_endpoint_')).filter(
            (x) => x.labels['service'] === name && x.labels['endpoint'] === `${endpointIP}:8080`,
          );
        const value = (fs: Sample[], metric: string, direction?: string) => fs.find((x) => x.name === metric && x.labels['direction'] === direction)?.value ?? 0;
        let counted: Sample[] = [];
        await until('4 connections counted', async () => value((counted = await figures()), 'kubesvc_proxy_endpoint_connections_total') >= 4);
        assert.equal(inNs('sysctl', '-n', 'net.netfilter.nf_conntrack_acct').trim(), '1');
        assert.ok(value(counted, 'kubesvc_proxy_endpoint_bytes_total', 'to_client') >= 4 * `hello from ${endpointIP}\n`.length, JSON.stringify(counted));
        assert.equal(counted.find((x) => x.name === 'kubesvc_proxy_endpoint_connections_total')?.labels['port'], 'http');

        await cluster.client.delete(R.endpointslices, 'default', `${name}-1`);
        await until(`${clusterIP}:80 to be refused`, async () => (last = await connectInNs(clusterIP, 80)) === 'ECONNREFUSED').catch((e: Error) => {
          throw new Error(`${e.message}; last answer ${JSON.stringify(last)}\n${m.rules()}`);
        });
        // The ClusterIPs of the test API server are in 127/8, which also refuses without any rule:
        // the rule doing the rejecting is checked by name.
        if (m.mode === 'iptables') assert.match(m.rules(), new RegExp(`"default/${name}:http has no endpoints" .*-j REJECT`));
        else assert.match(m.rules(), new RegExp(`no-endpoint-services[^}]*${clusterIP.replaceAll('.', '\\.')} \\. tcp \\. 80 [^\\n]*: goto reject-chain`));
      } finally {
        await proxy.stop();
      }
      // stop leaves the rules, as upstream does; cleanup (--cleanup) removes them, which the
      // next mode needs in this same namespace.
      assert.match(m.rules(), /kube|KUBE/);
      await proxy.provider.cleanup!();
      await cluster.client.delete(R.services, 'default', name);
    });
  }

  test("the host's nat table, nft ruleset and route_localnet are unchanged", () => {
    assert.equal(hostState(), hostBefore);
  });
});
