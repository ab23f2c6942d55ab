// kube-proxy's nftables mode as a Provider: one `nft -f -` transaction per sync. A full sync
// rewrites the fixed part and every Service port and removes per-Service chains and affinity
// sets it no longer wants (found by listing the table, since after a failure our own record is
// not trusted); a partial sync rewrites only the chains and elements of the Services that changed.
// The framework's periodic resync is partial too, after one cheap check that the table still
// exists (`nft list set ip kube-proxy nodeport-ips`: 10–17 ms at 1,000 and 10,000 Services, where
// `nft list table` takes ~0.9 s at 1,000 and 42 s at 10,000 and `nft list tables` ~0.5 s at
// 1,000, as nft 1.0.6 fills its whole cache for them); a missing table (someone ran
// `nft flush ruleset`) makes it full.
// After a successful transaction, stale UDP conntrack entries are deleted through the same
// executor (../conntrack.ts), as upstream's nftables proxier calls conntrack.CleanStaleEntries.
import { KernelSync, type DataPlaneCheck, type KernelSyncOptions } from '../kernel-sync.js';
import type { ConntrackTraffic } from '../metrics/conntrack-traffic.js';
import type { ProxyChanges, Provider } from '../provider.js';
import type { RuleExecutor } from '../rules.js';
import { namespacedName, type EndpointsMap, type ServicePortMap } from '../types.js';
import { isAffinitySetName, isServiceChainName } from './names.js';
import { table } from './objects.js';
import { renderAllServicePorts, renderFull, serviceRulesContext, type NftablesOptions } from './render.js';
import { renderServicePort } from './servicerules.js';
import { AppliedState, partialTransaction } from './state.js';
import type { ServicePortRules } from './objects.js';

export interface NftablesProviderOptions extends NftablesOptions, KernelSyncOptions {
  executor: RuleExecutor;
  nodeName: string;
  nodeIPs: string[];
  clusterCIDR?: string;
  /** The nft binary (argv[0]). */
  nft?: string;
  /**
   * How long chains and affinity sets no Service needs any more wait, flushed, before a partial
   * sync deletes them (default 60 s; full syncs delete them at once). Deleting a chain makes nft
   * 1.0.6 dump the whole ruleset first (~2 s at 10,000 Services × 10 endpoints), so the stale
   * ones of a minute go in one transaction instead of one such cost per change. Upstream's
   * nftables proxier defers these deletions too. 0 deletes them in the sync that made them stale.
   */
  staleChainDelayMs?: number;
}

export interface NftablesSyncStats {
  full: boolean;
  /** What the table check found. A missing table made the sync full. */
  table: DataPlaneCheck;
  renderMs: number;
  applyMs: number;
  /** Time spent listing the table's chains and sets (full syncs from an untrusted state). */
  listMs: number;
  lines: number;
  /** `conntrack -D` commands run after the transaction. */
  conntrackDeletes: number;
}

export class NftablesProvider implements Provider {
  readonly mode = 'nftables';
  private state = new AppliedState();
  private readonly kernel: KernelSync;

  /** What went through this node's Services, from its conntrack table (../metrics/conntrack-traffic.ts). */
  get traffic(): ConntrackTraffic | undefined {
    return this.kernel.traffic;
  }
  /** Our record matches the kernel (false at start and after any failed transaction). */
  private trusted = false;
  /** The last sync's figures (benchmarks and tests read them). */
  lastSync: NftablesSyncStats | undefined;

  constructor(private readonly opts: NftablesProviderOptions) {
    // A partial sync only touches what changed: after the table was deleted behind our back it
    // would add elements to sets that no longer exist, or (nothing changed) do nothing at all.
    this.kernel = new KernelSync(opts, { dataPlanePresent: () => this.tablePresent() });
  }

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
    const { full, check } = await this.kernel.plan(changes);
    // Our record describes a table that is gone: the full sync must list, not trust it.
    if (check === 'missing') this.trusted = false;
    try {
      if (full) await this.fullSync(input, opts);
      else await this.partialSync(input, opts, new Set([...changes.services, ...changes.endpoints]));
      if (this.lastSync) this.lastSync.table = check;
    } catch (err) {
      // Whatever reached the kernel is unknown now: the next sync starts from a listing.
      this.trusted = false;
      throw err;
    }
    this.kernel.succeeded(full);
    const deletes = await this.kernel.clearStaleConntrack(this.opts.executor, serviceMap, endpointsMap, this.opts.nodeName);
    if (this.lastSync) this.lastSync.conntrackDeletes = deletes;
  }

  private async fullSync(input: Parameters<typeof renderFull>[0], opts: NftablesOptions): Promise<void> {
    const t0 = performance.now();
    const rendered = renderAllServicePorts(input, opts);
    const text = renderFull(input, opts, rendered);
    const renderMs = performance.now() - t0;
    // Listing costs seconds at 10,000 Services (the kernel dumps chains slowly), so it is done
    // only when our record cannot be trusted: at start and after a failed transaction.
    const t2 = performance.now();
    const existing = this.trusted ? this.state.names() : await this.listTable();
    const listMs = performance.now() - t2;
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
    this.trusted = true;
    this.lastSync = { full: true, table: 'unchecked', renderMs, applyMs, listMs, lines: countLines(tx), conntrackDeletes: 0 };
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
    // The record is updated in place: if nft then fails, the next sync is a full one from a
    // listing of the kernel, which replaces the record anyway.
    const state = this.state;
    const now = this.opts.now?.() ?? Date.now();
    const delay = this.opts.staleChainDelayMs ?? 60_000;
    const oldest = state.oldestStale();
    const deleteStale = delay === 0 || (oldest !== undefined && now - oldest >= delay);
    const lines = partialTransaction(state, next, { now, deleteStale });
    const renderMs = performance.now() - t0;
    const t1 = performance.now();
    if (lines.length > 0) await this.apply(`${lines.join('\n')}\n`);
    this.state = state;
    this.lastSync = { full: false, table: 'unchecked', renderMs, applyMs: performance.now() - t1, listMs: 0, lines: lines.length, conntrackDeletes: 0 };
  }

  /**
   * Whether table `ip kube-proxy` exists, by listing its one small set (the node's addresses).
   * Listing the table itself would print every rule (~0.9 s at 1,000 Services). Any failure counts
   * as missing: the worst outcome is one full sync too many.
   */
  private async tablePresent(): Promise<boolean> {
    const r = await this.opts.executor.run([this.nft, 'list', 'set', ...table.split(' '), 'nodeport-ips']);
    return r.code === 0;
  }

  private async apply(tx: string): Promise<void> {
    const r = await this.opts.executor.run([this.nft, '-f', '-'], tx);
    if (r.code !== 0) throw new Error(`nft -f failed (exit ${r.code}): ${r.stderr.trim().slice(0, 2000)}`);
  }

  /**
   * Chain and set names now in the table (none when it does not exist yet). `list chains ip` and
   * `list sets ip` print headers only; listing the table would print every rule and element,
   * which takes seconds at 10,000 Services. They cover every ip table, so only ours is read.
   */
  private async listTable(): Promise<{ chains: string[]; sets: string[] }> {
    const chains = await this.listNames('chains', 'chain');
    const sets = await this.listNames('sets', 'set');
    return { chains, sets };
  }

  private async listNames(what: 'chains' | 'sets', kind: string): Promise<string[]> {
    const r = await this.opts.executor.run([this.nft, '--terse', 'list', what, 'ip']);
    if (r.code !== 0) return [];
    const names: string[] = [];
    let inOurs = false;
    for (const line of r.stdout.split('\n')) {
      const t = /^table (\S+) (\S+) \{/.exec(line);
      if (t) {
        inOurs = `${t[1]} ${t[2]}` === table;
        continue;
      }
      const m = new RegExp(`^\\s*${kind}\\s+("?)(.+?)\\1\\s*\\{\\s*$`).exec(line);
      if (inOurs && m) names.push(m[2]!);
    }
    return names;
  }

  /**
   * Leaves the table (upstream's kube-proxy does too): stopping must not black-hole Services, and
   * it must not need the namespace to still exist. The next sync lists the table and starts full.
   */
  async stop(): Promise<void> {
    this.kernel.invalidate();
    this.trusted = false;
  }

  /** Deletes table `ip kube-proxy` (upstream's `--cleanup`). */
  async cleanup(): Promise<void> {
    // `delete table` fails when the table is absent; either way nothing of ours remains.
    await this.opts.executor.run([this.nft, 'delete', 'table', ...table.split(' ')]);
    this.state.clear();
    this.kernel.invalidate();
    this.trusted = false;
  }
}

function countLines(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) === 10) n++;
  return n;
}
