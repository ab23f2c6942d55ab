// kube-proxy's nftables mode as a Provider: one `nft -f -` transaction per sync. A full sync
// rewrites the fixed part and every Service port and removes per-Service chains and affinity
// sets it no longer wants (found by listing the table, since after a failure our own record is
// not trusted); a partial sync rewrites only the chains and elements of the Services that changed.
import type { ProxyChanges, Provider } from '../provider.js';
import type { RuleExecutor } from '../rules.js';
import { namespacedName, type EndpointsMap, type ServicePortMap } from '../types.js';
import { isAffinitySetName, isServiceChainName } from './names.js';
import { table } from './objects.js';
import { renderAllServicePorts, renderFull, serviceRulesContext, type NftablesOptions } from './render.js';
import { renderServicePort } from './servicerules.js';
import { AppliedState, partialTransaction } from './state.js';
import type { ServicePortRules } from './objects.js';

export interface NftablesProviderOptions extends NftablesOptions {
  executor: RuleExecutor;
  nodeName: string;
  nodeIPs: string[];
  clusterCIDR?: string;
  /** Besides the framework's periodic full syncs: force a full one when the last is older. */
  fullSyncIntervalMs?: number;
  /** The nft binary (argv[0]). */
  nft?: string;
}

export interface NftablesSyncStats {
  full: boolean;
  renderMs: number;
  applyMs: number;
  lines: number;
}

export class NftablesProvider implements Provider {
  readonly mode = 'nftables';
  private state = new AppliedState();
  private needFull = true;
  private lastFull = 0;
  /** The last sync's figures (benchmarks and tests read them). */
  lastSync: NftablesSyncStats | undefined;

  constructor(private readonly opts: NftablesProviderOptions) {}

  private get nft(): string {
    return this.opts.nft ?? 'nft';
  }

  async start(): Promise<void> {
    const r = await this.opts.executor.run([this.nft, '--version']);
    if (r.code !== 0) throw new Error(`nftables mode needs the nft tool: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  async sync(serviceMap: ServicePortMap, endpointsMap: EndpointsMap, changes: ProxyChanges): Promise<void> {
    const opts = { ...this.opts, nodeLabels: changes.nodeLabels };
    const input = { serviceMap, endpointsMap, nodeName: this.opts.nodeName, nodeIPs: this.opts.nodeIPs, ...(this.opts.clusterCIDR ? { clusterCIDR: this.opts.clusterCIDR } : {}) };
    const overdue = this.opts.fullSyncIntervalMs !== undefined && Date.now() - this.lastFull >= this.opts.fullSyncIntervalMs;
    const full = changes.full || this.needFull || overdue;
    try {
      if (full) await this.fullSync(input, opts);
      else await this.partialSync(input, opts, new Set([...changes.services, ...changes.endpoints]));
    } catch (err) {
      // Whatever reached the kernel is unknown now: the next sync starts from a listing.
      this.needFull = true;
      throw err;
    }
  }

  private async fullSync(input: Parameters<typeof renderFull>[0], opts: NftablesOptions): Promise<void> {
    const t0 = performance.now();
    const rendered = renderAllServicePorts(input, opts);
    const text = renderFull(input, opts, rendered);
    const renderMs = performance.now() - t0;
    const existing = await this.listTable();
    const wantedChains = new Set<string>();
    const wantedSets = new Set<string>();
    for (const r of rendered.values()) {
      for (const c of r.chains.keys()) wantedChains.add(c);
      for (const s of r.affinitySets.keys()) wantedSets.add(s);
    }
    const stale: string[] = [];
    const staleChains = existing.chains.filter((c) => isServiceChainName(c) && !wantedChains.has(c));
    // Flush every stale chain before deleting any: stale chains may jump to each other.
    for (const c of staleChains) stale.push(`flush chain ${table} ${c}`);
    for (const s of existing.sets) if (isAffinitySetName(s) && !wantedSets.has(s)) stale.push(`delete set ${table} ${s}`);
    for (const c of staleChains) stale.push(`delete chain ${table} ${c}`);
    const tx = stale.length > 0 ? `${text}${stale.join('\n')}\n` : text;
    const t1 = performance.now();
    await this.apply(tx);
    const applyMs = performance.now() - t1;
    const next = new AppliedState();
    for (const [k, r] of rendered) next.set(k, r);
    this.state = next;
    this.needFull = false;
    this.lastFull = Date.now();
    this.lastSync = { full: true, renderMs, applyMs, lines: countLines(tx) };
  }

  private async partialSync(input: Parameters<typeof renderFull>[0], opts: NftablesOptions, services: ReadonlySet<string>): Promise<void> {
    const t0 = performance.now();
    const ctx = serviceRulesContext(input, opts);
    const next = new Map<string, ServicePortRules | undefined>();
    for (const [key, sp] of input.serviceMap) {
      if (services.has(namespacedName(sp.name.namespace, sp.name.name))) {
        next.set(key, renderServicePort(sp, input.endpointsMap.get(key) ?? [], ctx));
      }
    }
    for (const [key, r] of this.state.servicePorts) {
      if (!input.serviceMap.has(key) && r) next.set(key, undefined);
    }
    const state = this.state.clone();
    const lines = partialTransaction(state, next);
    const renderMs = performance.now() - t0;
    const t1 = performance.now();
    if (lines.length > 0) await this.apply(`${lines.join('\n')}\n`);
    this.state = state;
    this.lastSync = { full: false, renderMs, applyMs: performance.now() - t1, lines: lines.length };
  }

  private async apply(tx: string): Promise<void> {
    const r = await this.opts.executor.run([this.nft, '-f', '-'], tx);
    if (r.code !== 0) throw new Error(`nft -f failed (exit ${r.code}): ${r.stderr.trim().slice(0, 2000)}`);
  }

  /** Chain and set names now in the table (none when it does not exist yet). */
  private async listTable(): Promise<{ chains: string[]; sets: string[] }> {
    const chains: string[] = [];
    const sets: string[] = [];
    const r = await this.opts.executor.run([this.nft, '--terse', 'list', 'table', ...table.split(' ')]);
    if (r.code !== 0) return { chains, sets };
    for (const line of r.stdout.split('\n')) {
      const m = /^\s*(chain|set|map)\s+("?)(.+?)\2\s*\{\s*$/.exec(line);
      if (!m) continue;
      if (m[1] === 'chain') chains.push(m[3]!);
      else if (m[1] === 'set') sets.push(m[3]!);
    }
    return { chains, sets };
  }

  async stop(): Promise<void> {
    // `delete table` fails when the table is absent; either way nothing of ours remains.
    await this.opts.executor.run([this.nft, 'delete', 'table', ...table.split(' ')]);
    this.state.clear();
    this.needFull = true;
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}
