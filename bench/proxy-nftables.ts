// The nftables mode measured against the real kernel in a throwaway network namespace (root and
// nft needed; not part of `npm test`). For 10,000 Services × 10 endpoints (ClusterIP + NodePort),
// with both endpoint-choice styles (upstream's inline `numgen ... vmap {}` and the per-endpoint
// `numgen random mod (N-i) == 0 goto` cascade):
//  - full sync: render time and `nft -f` apply time, into an empty table and over a loaded one;
//  - one-Service partial sync (one endpoint replaced): render (diff) time and apply time.
// Run: npx tsc -p . && node dist/bench/proxy-nftables.js [services, default 10000] [endpoints, default 10] [rounds, default 3]
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { NftablesProvider, type EndpointSelection } from '../src/proxy/nftables/index.js';
import { netnsExecutor } from '../src/proxy/executor.js';
import { renderFull } from '../src/proxy/nftables/render.js';
import type { ProxyChanges } from '../src/proxy/provider.js';
import { servicePortKey, type EndpointInfo, type EndpointsMap, type ServicePortInfo, type ServicePortMap } from '../src/proxy/types.js';

const services = Number(process.argv[2] ?? 10000);
const perService = Number(process.argv[3] ?? 10);
const rounds = Number(process.argv[4] ?? 3);
const nodeName = 'node-1';

function endpoint(ip: string, port: number): EndpointInfo {
  return { ip, port, endpoint: `${ip}:${port}`, isLocal: false, ready: true, serving: true, terminating: false, nodeName: 'node-2', zone: '', zoneHints: [], nodeHints: [] };
}

function buildMaps(): { sm: ServicePortMap; em: EndpointsMap } {
  const sm: ServicePortMap = new Map();
  const em: EndpointsMap = new Map();
  for (let i = 0; i < services; i++) {
    const name = { namespace: `ns${i % 100}`, name: `svc${i}`, port: 'http', protocol: 'TCP' as const };
    const sp: ServicePortInfo = {
      name,
      clusterIP: `10.${96 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`,
      port: 80,
      protocol: 'TCP',
      // The NodePort range holds 2,768 ports: the first Services get one, the rest are ClusterIP only.
      nodePort: i < 2767 ? 30000 + i : 0,
      externalIPs: [],
      loadBalancerVIPs: [],
      loadBalancerSourceRanges: [],
      sessionAffinity: 'None',
      stickyMaxAgeSeconds: 10800,
      externalPolicyLocal: false,
      internalPolicyLocal: false,
      healthCheckNodePort: 0,
    };
    const key = servicePortKey(name);
    sm.set(key, sp);
    const eps: EndpointInfo[] = [];
    for (let j = 0; j < perService; j++) {
      const n = i * perService + j;
      eps.push(endpoint(`10.${128 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`, 8080));
    }
    em.set(key, eps.sort((a, b) => (a.endpoint < b.endpoint ? -1 : 1)));
  }
  return { sm, em };
}

const full: ProxyChanges = { full: true, services: new Set(), endpoints: new Set(), nodeLabels: {} };
const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(1)} ms`);
let changeCounter = 0;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function measure(style: EndpointSelection, sm: ServicePortMap, em: EndpointsMap): Promise<void> {
  const ns = `kubesvc-test-${randomBytes(4).toString('hex')}`;
  execFileSync('ip', ['netns', 'add', ns]);
  try {
    // conntrack off: only the nft programming is measured (the Services here are TCP anyway).
    // Stale chains wait staleChainDelayMs (60 s) before a sync deletes them: the clock is moved on to time that sync.
    let skew = 0;
    const opts = { now: () => Date.now() + skew, executor: netnsExecutor(ns), nodeName, nodeIPs: ['172.30.0.2'], clusterCIDR: '10.128.0.0/9', serviceCIDRs: ['10.96.0.0/12'], endpointSelection: style, conntrack: false };
    const p = new NftablesProvider(opts);
    const text = renderFull({ serviceMap: sm, endpointsMap: em, nodeName, nodeIPs: opts.nodeIPs, clusterCIDR: opts.clusterCIDR }, opts);
    const lines = text.split('\n').length;
    let t = performance.now();
    await p.sync(sm, em, full);
    const first = p.lastSync!;
    console.error(`  ${style}: first full sync done in ${fmt(performance.now() - t)}`);
    const fulls: Array<{ renderMs: number; applyMs: number }> = [];
    for (let r = 0; r < rounds; r++) {
      t = performance.now();
      await p.sync(sm, em, full);
      fulls.push(p.lastSync!);
      console.error(`  ${style}: full sync over the loaded table done in ${fmt(performance.now() - t)} (no listing: the record is trusted)`);
    }
    const partials: Array<{ renderMs: number; applyMs: number; lines: number }> = [];
    for (let r = 0; r < rounds * 3; r++) {
      const key = [...sm.keys()][(r * 7919) % services]!;
      const eps = [...em.get(key)!];
      // A new address every time, across styles too (they share the maps).
      const c = changeCounter++;
      eps[0] = endpoint(`10.250.${c >> 8}.${c & 255}`, 8080);
      em.set(key, eps);
      const sp = sm.get(key)!;
      const t0 = performance.now();
      await p.sync(sm, em, { full: false, services: new Set(), endpoints: new Set([`${sp.name.namespace}/${sp.name.name}`]), nodeLabels: {} });
      const total = performance.now() - t0;
      partials.push({ ...p.lastSync!, applyMs: total - p.lastSync!.renderMs });
      console.error(`  ${style}: partial ${fmt(total)} (diff ${fmt(p.lastSync!.renderMs)}, nft -f ${fmt(p.lastSync!.applyMs)})`);
    }
    // A Service deleted (its elements leave their maps, which are then declared again whole) and created again.
    const removals: number[] = [];
    const additions: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const key = [...sm.keys()][(r * 104_729 + 17) % services]!;
      const sp = sm.get(key)!;
      const changed = { full: false, services: new Set([`${sp.name.namespace}/${sp.name.name}`]), endpoints: new Set<string>(), nodeLabels: {} };
      sm.delete(key);
      let t0 = performance.now();
      await p.sync(sm, em, changed);
      removals.push(performance.now() - t0);
      sm.set(key, sp);
      t0 = performance.now();
      await p.sync(sm, em, changed);
      additions.push(performance.now() - t0);
      console.error(`  ${style}: Service deleted ${fmt(removals.at(-1)!)}, created again ${fmt(additions.at(-1)!)}`);
    }
    skew += 61_000;
    const t2 = performance.now();
    await p.sync(sm, em, { full: false, resync: true, services: new Set(), endpoints: new Set(), nodeLabels: {} });
    const staleDelete = performance.now() - t2;
    const staleLines = p.lastSync!.lines;
    console.error(`  ${style}: the stale chains' deletion (${staleLines} lines) ${fmt(staleDelete)}`);
    const chains = execFileSync('ip', ['netns', 'exec', ns, 'nft', '--terse', 'list', 'chains', 'ip'], { maxBuffer: 1 << 30 }).toString().split('\n').filter((l) => /^\s*chain /.test(l)).length;
    console.log(
      `${style.padEnd(5)} | ${lines} lines, ${chains} chains | full into empty table: render ${fmt(first.renderMs)}, nft -f ${fmt(first.applyMs)}` +
        ` | full over loaded table (median of ${rounds}): render ${fmt(median(fulls.map((f) => f.renderMs)))}, nft -f ${fmt(median(fulls.map((f) => f.applyMs)))}` +
        ` | one-Service partial (median of ${partials.length}, ${partials[0]!.lines} lines): diff ${fmt(median(partials.map((f) => f.renderMs)))}, nft -f ${fmt(median(partials.map((f) => f.applyMs)))}` +
        ` | Service deleted / created (median of ${rounds}): ${fmt(median(removals))} / ${fmt(median(additions))} | deferred deletion of ${staleLines} stale chains: ${fmt(staleDelete)}`,
    );
    await p.stop();
  } finally {
    execFileSync('ip', ['netns', 'del', ns]);
  }
}

const { sm, em } = buildMaps();
console.log(`nftables mode: ${services} Services × ${perService} endpoints, kernel ${execFileSync('uname', ['-r']).toString().trim()}, ${execFileSync('nft', ['--version']).toString().trim()}`);
const styles = (process.env.STYLES?.split(',') ?? ['rules', 'vmap']) as EndpointSelection[];
for (const style of styles) await measure(style, sm, em);
