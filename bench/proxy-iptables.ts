// The iptables mode measured (not part of `npm test`):
//  1. render time of the full rule set for 10,000 Services × 10 endpoints, and of a partial sync
//     after one Service's endpoints changed (median of several runs);
//  2. with root and iptables installed: the same syncs applied by the Provider with the real
//     iptables-restore inside a throwaway network namespace (kubesvc-bench-<random>, deleted after),
//     split into the generator's and iptables-restore's shares, for each Service count listed.
//     Full syncs restore the tables whole, as in a netns-mode node (ownsTables); MERGE=1 merges
//     with --noflush as on a shared host, which on iptables-nft 1.8.9 walks the chain list per rule
//     (10,000 × 10 did not finish in 9 minutes that way). LAYOUT=upstream measures upstream's layout
//     (a KUBE-SEP chain per endpoint) instead of the default 'inline'.
// Run: npx tsc -p . && node dist/bench/proxy-iptables.js [services, default 10000] [endpoints per Service, default 10] [restore sizes, default 1000,2000; 0 skips]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { EndpointInfo, EndpointsMap, ServicePortInfo, ServicePortMap } from '../src/proxy/types.js';
import { servicePortKey } from '../src/proxy/types.js';
import { renderIptables } from '../src/proxy/iptables/render.js';
import { IptablesProvider } from '../src/proxy/iptables/provider.js';
import { netnsExecutor } from '../src/proxy/executor.js';
import type { ProxyChanges } from '../src/proxy/provider.js';
import { setQuiet } from '../src/util/log.js';

setQuiet(true);
const nServices = Number(process.argv[2] ?? 10_000);
const nEndpoints = Number(process.argv[3] ?? 10);
const nodeName = 'node-a';

// The maps are built directly (not through the change trackers): only the mode is measured.
function servicePort(i: number): ServicePortInfo {
  return {
    name: { namespace: `ns${i % 100}`, name: `svc${i}`, port: 'http', protocol: 'TCP' },
    clusterIP: `10.96.${(i >> 8) & 255}.${i & 255}`,
    port: 80,
    protocol: 'TCP',
    nodePort: i % 10 === 0 ? 30000 + (i % 2768) : 0,
    externalIPs: [],
    loadBalancerVIPs: [],
    loadBalancerSourceRanges: [],
    sessionAffinity: 'None',
    stickyMaxAgeSeconds: 0,
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    healthCheckNodePort: 0,
  };
}

function endpoints(i: number, gen: number): EndpointInfo[] {
  const out: EndpointInfo[] = [];
  for (let e = 0; e < nEndpoints; e++) {
    const n = i * nEndpoints + e + gen;
    const ip = `10.${128 + ((n >> 16) & 127)}.${(n >> 8) & 255}.${n & 255}`;
    out.push({ ip, port: 8080, endpoint: `${ip}:8080`, isLocal: e === 0, ready: true, serving: true, terminating: false, nodeName: e === 0 ? nodeName : 'other', zone: '', zoneHints: [], nodeHints: [] });
  }
  return out.sort((a, b) => (a.endpoint < b.endpoint ? -1 : 1));
}

const restoreSizes = (process.argv[4] ?? '1000,2000').split(',').map(Number).filter((n) => n > 0);

function buildMaps(n: number): { serviceMap: ServicePortMap; endpointsMap: EndpointsMap } {
  const serviceMap: ServicePortMap = new Map();
  const endpointsMap: EndpointsMap = new Map();
  for (let i = 0; i < n; i++) {
    const sp = servicePort(i);
    const key = servicePortKey(sp.name);
    serviceMap.set(key, sp);
    endpointsMap.set(key, endpoints(i, 0));
  }
  return { serviceMap, endpointsMap };
}
const { serviceMap, endpointsMap } = buildMaps(nServices);
const input = { serviceMap, endpointsMap, nodeName, nodeIPs: ['172.30.0.2'], clusterCIDR: '10.128.0.0/9' };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}
function time(fn: () => void): number {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

// One Service's endpoints replaced (a rollout), as the change trackers would hand it over.
const changedIdx = Math.floor(nServices / 2);
const changedSp = servicePort(changedIdx);
const changedKey = servicePortKey(changedSp.name);
const changedName = `${changedSp.name.namespace}/${changedSp.name.name}`;

const layout = process.env.LAYOUT === 'upstream' ? 'upstream' : 'inline';
let size = 0;
let rules = 0;
let hairpin = new Map<string, string>();
const full: number[] = [];
for (let r = 0; r < 5; r++) {
  full.push(
    time(() => {
      const out = renderIptables(input, { layout });
      hairpin = out.hairpinChains;
      size = out.text.length;
      rules = out.text.split('\n').filter((l) => l.startsWith('-A ')).length;
    }),
  );
}
const partial: number[] = [];
let partialSize = 0;
for (let r = 0; r < 21; r++) {
  endpointsMap.set(changedKey, endpoints(changedIdx, r % 2 === 0 ? 1 : 0));
  partial.push(time(() => (partialSize = renderIptables(input, { layout, changedServices: new Set([changedName]), writtenHairpinChains: hairpin }).text.length)));
}
console.log(`iptables render (${layout} layout), ${nServices} Services × ${nEndpoints} endpoints (${rules} rules, ${(size / 1e6).toFixed(1)} MB):`);
console.log(`  full    median ${median(full).toFixed(1)} ms (runs: ${full.map((x) => x.toFixed(0)).join(', ')})`);
console.log(`  partial median ${median(partial).toFixed(1)} ms, ${(partialSize / 1e6).toFixed(2)} MB of restore input`);

const merge = process.env.MERGE === '1';
const usable = process.getuid?.() === 0 && spawnSync('iptables-restore', ['--version']).status === 0;
if (!usable) {
  console.log('iptables-restore: skipped (needs root and iptables)');
}
for (const n of usable ? restoreSizes : []) {
  const maps = buildMaps(n);
  const idx = Math.floor(n / 2);
  const sp = servicePort(idx);
  const key = servicePortKey(sp.name);
  const svcName = `${sp.name.namespace}/${sp.name.name}`;
  const ns = `kubesvc-bench-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    const p = new IptablesProvider({ nodeName, nodeIPs: ['172.30.0.2'], clusterCIDR: '10.128.0.0/9', executor: netnsExecutor(ns), conntrack: false, ownsTables: !merge, layout });
    const ch = (fullSync: boolean, names: string[] = []): ProxyChanges => ({ full: fullSync, services: new Set(), endpoints: new Set(names), nodeLabels: {} });
    let t = performance.now();
    await p.sync(maps.serviceMap, maps.endpointsMap, ch(true));
    const first = { total: performance.now() - t, ...p.lastSync! };
    t = performance.now();
    await p.sync(maps.serviceMap, maps.endpointsMap, ch(true));
    const again = { total: performance.now() - t, ...p.lastSync! };
    const parts: { total: number; renderMs: number; restoreMs: number }[] = [];
    for (let r = 0; r < 11; r++) {
      maps.endpointsMap.set(key, endpoints(idx, r % 2 === 0 ? 1 : 0));
      t = performance.now();
      await p.sync(maps.serviceMap, maps.endpointsMap, ch(false, [svcName]));
      parts.push({ total: performance.now() - t, ...p.lastSync! });
    }
    const med = (f: (x: (typeof parts)[number]) => number): string => median(parts.map(f)).toFixed(1);
    console.log(`iptables-restore in a throwaway netns, ${n} Services × ${nEndpoints} endpoints, ${layout} layout, full syncs ${merge ? 'merged (--noflush)' : 'whole'}:`);
    console.log(`  full sync     ${first.total.toFixed(0)} ms (render ${first.renderMs.toFixed(0)}, iptables-restore ${first.restoreMs.toFixed(0)}${merge ? ', rest iptables-save' : ''}); again over the loaded tables ${again.total.toFixed(0)} ms`);
    console.log(`  partial sync  median ${med((x) => x.total)} ms (render ${med((x) => x.renderMs)}, iptables-restore ${med((x) => x.restoreMs)}), 11 runs`);
    // What the last partial restore carried: chains declared (rewritten) and rules, by chain kind.
    const kinds = new Map<string, number>();
    for (const line of p.lastRestore.split('\n')) {
      const chain = line.startsWith('-A ') ? line.split(' ')[1]! : '';
      if (chain) kinds.set(chain.replace(/-[A-Z0-9]{16}$|-\d+-\d+-\d+$/, ''), (kinds.get(chain.replace(/-[A-Z0-9]{16}$|-\d+-\d+-\d+$/, '')) ?? 0) + 1);
    }
    console.log(`  last partial: ${p.lastRestore.split('\n').length} lines; rules by chain: ${[...kinds].map(([k, v]) => `${k} ${v}`).join(', ')}`);
    await p.stop();
  } finally {
    spawnSync('ip', ['netns', 'delete', ns]);
  }
}
