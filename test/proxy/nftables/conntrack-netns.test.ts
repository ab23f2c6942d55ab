// Stale UDP conntrack in nftables mode, with real nft and conntrack inside throwaway network
// namespaces (kubesvc-test-<random>, each deleted by that exact name; every address lives in
// them). A UDP client always sending from one source port to a ClusterIP keeps the conntrack
// entry of its first datagram, so when the Service's endpoint is replaced the kernel keeps
// DNATing to the old endpoint unless the provider deletes that entry. The control run
// (conntrack: false) shows the stale entry winning; the default run shows the new endpoint
// answering. Skipped without root, nft, conntrack or a dummy/veth link.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NftablesProvider } from '../../../src/proxy/nftables/index.js';
import { netnsExecutor } from '../../../src/proxy/executor.js';
import type { ProxyChanges } from '../../../src/proxy/provider.js';
import { buildMaps, ep, slice, svc } from '../fixtures.js';

function canRun(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux';
  for (const argv of [['ip', '-V'], ['nft', '--version'], ['conntrack', '--version']]) {
    if (spawnSync(argv[0]!, argv.slice(1), { stdio: 'ignore' }).status !== 0) return `needs ${argv[0]}`;
  }
  return undefined;
}

const clusterIP = '172.30.0.53';
const oldEndpoint = '10.180.0.4';
const newEndpoint = '10.180.0.5';
const clientIP = '192.168.0.2';
const clientPort = 40053;
const service = svc('ns1', 'dns', { clusterIP, clusterIPs: [clusterIP], ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 }] });
const mapsWith = (ip: string) => buildMaps('n1', [service], [slice('ns1', 'dns', 'dns-1', [ep(ip)], [{ name: 'dns', port: 5353, protocol: 'UDP' }])]);
const fullSync: ProxyChanges = { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} };
const endpointsChanged: ProxyChanges = { full: false, services: new Set(), endpoints: new Set(['ns1/dns']), nodeLabels: {} };

/** One datagram from clientIP:clientPort to the ClusterIP, inside `ns`: the answer or "timeout". */
function ask(ns: string): Promise<string> {
  const code = `
const s = require('dgram').createSocket('udp4');
const t = setTimeout(() => { console.log('timeout'); s.close(); }, 1000);
s.on('message', (m) => { process.stdout.write(m); clearTimeout(t); s.close(); });
s.on('error', (e) => { console.log(e.code); clearTimeout(t); s.close(); });
s.bind(${clientPort}, '${clientIP}', () => s.send('ping', 53, '${clusterIP}'));`;
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    child.on('error', reject);
    child.on('close', () => resolve(out.trim()));
  });
}

/** A namespace with both endpoints answering UDP with their own address; the callback gets its name. */
async function inNamespace(fn: (ns: string) => Promise<void>): Promise<void> {
  const ns = `kubesvc-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  let servers: ChildProcess | undefined;
  try {
    const ipn = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    ipn('link', 'set', 'lo', 'up');
    // A dummy link, or where the kernel has no dummy module a veth pair with both ends inside.
    try {
      ipn('link', 'add', 'kv0', 'type', 'dummy');
    } catch {
      ipn('link', 'add', 'kv0', 'type', 'veth', 'peer', 'name', 'kv1');
      ipn('link', 'set', 'kv1', 'up');
    }
    ipn('link', 'set', 'kv0', 'up');
    for (const a of [`${clientIP}/24`, `${oldEndpoint}/32`, `${newEndpoint}/32`]) ipn('addr', 'add', a, 'dev', 'kv0');
    // Route lookup happens before DNAT: the Service range needs a route (and a fixed source).
    ipn('route', 'add', '172.30.0.0/16', 'dev', 'kv0', 'src', clientIP);
    servers = spawn(
      'ip',
      [
        'netns',
        'exec',
        ns,
        process.execPath,
        '-e',
        `const dgram = require('dgram');
for (const ip of ['${oldEndpoint}', '${newEndpoint}']) {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => s.send(ip, r.port, r.address));
  s.bind(5353, ip, () => console.log('up'));
}`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve, reject) => {
      let ups = 0;
      servers!.stdout!.on('data', (b: Buffer) => {
        ups += b.toString().split('up').length - 1;
        if (ups >= 2) resolve();
      });
      servers!.on('exit', (c) => reject(new Error(`UDP servers exited (${c})`)));
    });
    await fn(ns);
  } finally {
    // `ip netns exec` execs node in place, so this PID is the servers' process itself.
    if (servers?.pid !== undefined && servers.exitCode === null) process.kill(servers.pid);
    spawnSync('ip', ['netns', 'delete', ns]);
  }
}

/** The provider's sequence: old endpoint, one answered datagram, endpoint replaced; then the next answer. */
async function replaceEndpoint(ns: string, conntrack: boolean): Promise<{ before: string; after: string; entries: string }> {
  const p = new NftablesProvider({ executor: netnsExecutor(ns), nodeName: 'n1', nodeIPs: [clientIP], serviceCIDRs: ['172.30.0.0/16'], conntrack });
  await p.start();
  const old = mapsWith(oldEndpoint);
  await p.sync(old.sm, old.em, fullSync);
  const before = await ask(ns);
  const replaced = mapsWith(newEndpoint);
  await p.sync(replaced.sm, replaced.em, endpointsChanged);
  assert.equal(p.lastSync?.full, false);
  const after = await ask(ns);
  const entries = execFileSync('ip', ['netns', 'exec', ns, 'conntrack', '-L', '-p', 'udp', '--orig-port-src', String(clientPort)], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { before, after, entries };
}

const skip = canRun();

test('nftables, conntrack: false (control): the stale UDP entry keeps DNATing to the replaced endpoint', { skip, timeout: 60_000 }, async () => {
  await inNamespace(async (ns) => {
    const r = await replaceEndpoint(ns, false);
    assert.equal(r.before, oldEndpoint);
    assert.equal(r.after, oldEndpoint, `without cleanup the old entry wins\n${r.entries}`);
    assert.match(r.entries, new RegExp(`dst=${clusterIP.replaceAll('.', '\\.')} .*src=${oldEndpoint.replaceAll('.', '\\.')}`));
  });
});

test('nftables: replacing the endpoint of a UDP Service deletes the stale entry; the same flow reaches the new endpoint', { skip, timeout: 60_000 }, async () => {
  await inNamespace(async (ns) => {
    const r = await replaceEndpoint(ns, true);
    assert.equal(r.before, oldEndpoint);
    assert.equal(r.after, newEndpoint, `the flow still reaches the old endpoint\n${r.entries}`);
    assert.match(r.entries, new RegExp(`dst=${clusterIP.replaceAll('.', '\\.')} .*src=${newEndpoint.replaceAll('.', '\\.')}`));
    assert.doesNotMatch(r.entries, new RegExp(`src=${oldEndpoint.replaceAll('.', '\\.')}`));
  });
});
