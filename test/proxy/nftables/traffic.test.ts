// Packets through the rules, in a throwaway network namespace (root, nft and veth needed;
// skipped otherwise): a ClusterIP reaches both endpoints, a wrong port of a ClusterIP is
// rejected, an unallocated ClusterIP is dropped, and a partial sync removing an endpoint takes
// effect. Servers and clients run inside the namespace; it is deleted by its exact name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NftablesProvider } from '../../../src/proxy/nftables/index.js';
import { netnsExecutor } from '../../../src/proxy/executor.js';
import { buildMaps, ep, slice, svc } from '../fixtures.js';

function canRun(): string | undefined {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return 'needs root on Linux';
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'needs nft';
  }
  return undefined;
}

/** Runs `code` with node inside the namespace; resolves with its stdout. */
function nodeIn(ns: string, code: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const timer = setTimeout(() => child.kill(), timeoutMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}

/** Client code: `count` connections to ip:port, printing the answer, the error code or "timeout". */
const client = (ip: string, port: number, count: number) => `
const net = require('net');
(async () => {
  for (let i = 0; i < ${count}; i++) {
    await new Promise((done) => {
      const s = net.connect(${port}, '${ip}');
      const t = setTimeout(() => { console.log('timeout'); s.destroy(); done(); }, 500);
      s.on('data', (d) => { process.stdout.write(d); clearTimeout(t); s.destroy(); done(); });
      s.on('error', (e) => { console.log(e.code); clearTimeout(t); done(); });
    });
  }
})();`;

const skip = canRun();
for (const style of ['inline', 'rules'] as const) test(`traffic through the nftables rules (${style} layout) in a throwaway netns`, { skip, timeout: 60_000 }, async () => {
  const ns = `kubesvc-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  let servers: ReturnType<typeof spawn> | undefined;
  try {
    const ipn = (...args: string[]) => execFileSync('ip', ['-n', ns, ...args]);
    try {
      ipn('link', 'add', 'kv0', 'type', 'veth', 'peer', 'name', 'kv1');
    } catch {
      return; // no veth support here: nothing to route through
    }
    ipn('link', 'set', 'lo', 'up');
    ipn('link', 'set', 'kv0', 'up');
    ipn('link', 'set', 'kv1', 'up');
    for (const a of ['10.180.0.4/32', '10.180.0.5/32', '192.168.0.2/24']) ipn('addr', 'add', a, 'dev', 'kv0');
    // Route lookup happens before DNAT: the service range needs a route.
    ipn('route', 'add', '172.30.0.0/16', 'dev', 'kv0');

    servers = spawn(
      'ip',
      ['netns', 'exec', ns, process.execPath, '-e', `const net=require('net');for(const ip of ['10.180.0.4','10.180.0.5'])net.createServer(s=>s.end(ip+'\\n')).listen(8080,ip,()=>console.log('up'));`],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) => {
      let ups = 0;
      servers!.stdout!.on('data', (b: Buffer) => {
        ups += b.toString().split('up').length - 1;
        if (ups >= 2) resolve();
      });
    });

    const port = [{ name: 'p80', port: 80, protocol: 'TCP' as const, targetPort: 8080 }];
    const epPort = [{ name: 'p80', port: 8080, protocol: 'TCP' as const }];
    const service = svc('ns4', 'svc4', { clusterIP: '172.30.0.44', clusterIPs: ['172.30.0.44'], ports: port });
    const both = buildMaps('n1', [service], [slice('ns4', 'svc4', 's', [ep('10.180.0.4'), ep('10.180.0.5')], epPort)]);
    const p = new NftablesProvider({ executor: netnsExecutor(ns), nodeName: 'n1', nodeIPs: ['192.168.0.2'], serviceCIDRs: ['172.30.0.0/16'], endpointSelection: style });
    await p.sync(both.sm, both.em, { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} });

    const answers = (await nodeIn(ns, client('172.30.0.44', 80, 30))).trim().split('\n');
    assert.equal(answers.length, 30);
    assert.ok(answers.every((a) => a === '10.180.0.4' || a === '10.180.0.5'), answers.join(','));
    assert.ok(answers.includes('10.180.0.4') && answers.includes('10.180.0.5'), 'both endpoints chosen');

    assert.equal((await nodeIn(ns, client('172.30.0.44', 81, 1))).trim(), 'ECONNREFUSED', 'wrong port of a ClusterIP is rejected');
    assert.equal((await nodeIn(ns, client('172.30.0.99', 80, 1))).trim(), 'timeout', 'unallocated ClusterIP is dropped');

    const one = buildMaps('n1', [service], [slice('ns4', 'svc4', 's', [ep('10.180.0.4')], epPort)]);
    await p.sync(one.sm, one.em, { full: false, services: new Set(), endpoints: new Set(['ns4/svc4']), nodeLabels: {} });
    assert.equal(p.lastSync?.full, false);
    const after = (await nodeIn(ns, client('172.30.0.44', 80, 10))).trim().split('\n');
    assert.deepEqual(new Set(after), new Set(['10.180.0.4']));

    const none = buildMaps('n1', [service], []);
    await p.sync(none.sm, none.em, { full: false, services: new Set(), endpoints: new Set(['ns4/svc4']), nodeLabels: {} });
    assert.equal((await nodeIn(ns, client('172.30.0.44', 80, 1))).trim(), 'ECONNREFUSED', 'no endpoints: rejected');
    await p.stop();
  } finally {
    servers?.kill();
    execFileSync('ip', ['netns', 'del', ns]);
  }
});
