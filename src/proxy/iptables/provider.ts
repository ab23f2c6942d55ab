// The iptables mode's Provider: each sync renders the maps and applies them with one
// `iptables-restore --noflush` (other software's chains and rules stay untouched). In a network
// namespace kubesvc owns (a netns-mode node), full syncs restore the tables whole instead: see
// `ownsTables`. A partial sync
// rewrites KUBE-SERVICES, KUBE-NODEPORTS and the filter table plus only the changed Services'
// chains, and flushes-then-deletes in the same restore the chains no Service wants any more. A
// full sync (first, after any failure, and every fullSyncPeriodMs as upstream's FullSyncPeriod)
// reads iptables-save once to learn what exists and re-adds missing jump rules.
import type { Provider, ProxyChanges } from '../provider.js';
import { commandExecutor } from '../executor.js';
import type { RuleExecutor } from '../rules.js';
import type { EndpointsMap, ServicePortMap } from '../types.js';
import { KernelSync, type DataPlaneCheck, type KernelSyncOptions } from '../kernel-sync.js';
import type { ConntrackTraffic } from '../metrics/conntrack-traffic.js';
import { jumpLine, jumpRules, type JumpRule } from './jumps.js';
import { canaryTables, isServiceChainName, kubeMarkMasqChain, kubeNodePortsChain, kubePostroutingChain, kubeProxyCanaryChain, kubeServicesChain } from './names.js';
import { renderIptables, type IptablesOptions } from './render.js';
import { parseIptablesSave } from './save.js';
import { afterRestore, omitUnchanged, type WrittenChains } from './unchanged.js';

export type IptablesRenderOptions = Omit<IptablesOptions, 'changedServices' | 'existingNatChains' | 'writtenHairpinChains'>;

export interface IptablesProviderOptions extends IptablesRenderOptions, KernelSyncOptions {
  nodeName: string;
  nodeIPs: string[];
  clusterCIDR?: string;
  /**
   * Runs iptables-restore/-save and conntrack; defaults to spawning them in this process's own
   * namespace. For a node's namespace pass `netnsExecutor(netns)` (what startProxy does).
   */
  executor?: RuleExecutor;
  /** Partial syncs leave out chains whose rules are unchanged (default true; see unchanged.ts). */
  omitUnchangedChains?: boolean;
  /**
   * Nothing but this proxy writes iptables rules in the executor's namespace (a node namespace of
   * netns mode): full syncs then replace the filter, nat and mangle tables whole, jump rules
   * included (iptables-restore without --noflush), instead of merging into what is there. On
   * iptables-nft 1.8.9 --noflush walks the table's chain list, comparing names, for every rule it
   * reads: 1,000 Services × 10 endpoints restore in 1.2 s whole against 9.0 s merged, 10,000 in
   * ~20 s against more than 9 minutes (bench/README.md). Never on a host others share: a whole
   * restore removes every chain and rule it does not name. Partial syncs merge either way.
   */
  ownsTables?: boolean;
}

export interface IptablesSyncStats {
  full: boolean;
  /** What the canary check found. A missing one made the sync full. */
  canary: DataPlaneCheck;
  renderMs: number;
  restoreMs: number;
  bytes: number;
  /** Chains a partial sync left out because the kernel already holds them exactly. */
  omittedChains: number;
  deletedChains: number;
  conntrackDeletes: number;
}

const restoreArgv = ['iptables-restore', '-w', '5', '--noflush', '--counters'];
/** A whole-table restore (ownsTables): every table in the input is replaced by what it says. */
const wholeRestoreArgv = ['iptables-restore', '-w', '5', '--counters'];

export class IptablesProvider implements Provider {
  readonly mode = 'iptables';
  private readonly exec: RuleExecutor;
  private readonly kernel: KernelSync;

  /** What went through this node's Services, from its conntrack table (../metrics/conntrack-traffic.ts). */
  get traffic(): ConntrackTraffic | undefined {
    return this.kernel.traffic;
  }
  /** Per-Service NAT chains in the kernel after the last successful restore. */
  private natChains = new Set<string>();
  /** The 'inline' layout's hairpin chains after the last successful restore (partial syncs write the changed ones). */
  private hairpinChains = new Map<string, string>();
  /** Every chain as the last restores left it, so partial syncs can leave out unchanged ones. */
  private written: WrittenChains = new Map();
  /** Figures of the last sync, for the bench and diagnostics. */
  lastSync: IptablesSyncStats | undefined;
  /** The restore input of the last sync. */
  lastRestore = '';

  constructor(private readonly opts: IptablesProviderOptions) {
    this.exec = opts.executor ?? commandExecutor();
    // A partial sync leaves out chains it believes unchanged (unchanged.ts), so after an outside
    // flush it would never restore them: a missing canary means our record is wrong.
    this.kernel = new KernelSync(opts, { dataPlanePresent: () => this.canariesPresent() });
  }

  async start(): Promise<void> {
    // Nothing is programmed before the first (full) sync, as the Provider contract asks.
  }

  async sync(serviceMap: ServicePortMap, endpointsMap: EndpointsMap, changes: ProxyChanges): Promise<void> {
    const { full, check: canary } = await this.kernel.plan(changes);
    const whole = full && this.opts.ownsTables === true;
    let existing: Iterable<string> = this.natChains;
    let missingJumps: JumpRule[] = [];
    if (whole) {
      // The tables are replaced whole: nothing to learn from iptables-save, every jump written.
      existing = [];
    } else if (full) {
      const saved = await this.save();
      existing = saved.get('nat')?.chains ?? [];
      missingJumps = jumpRules(this.opts.localhostNodePorts ?? true).filter((j) => !saved.get(j.table)?.rules.has(jumpLine(j)));
    }
    const t0 = performance.now();
    const changed = full ? undefined : new Set([...changes.services, ...changes.endpoints]);
    const r = renderIptables(
      { serviceMap, endpointsMap, nodeName: this.opts.nodeName, nodeIPs: this.opts.nodeIPs, ...(this.opts.clusterCIDR ? { clusterCIDR: this.opts.clusterCIDR } : {}) },
      { ...this.opts, ...(changed ? { changedServices: changed, writtenHairpinChains: this.hairpinChains } : {}), existingNatChains: existing },
    );
    // Appended in reverse, the jumps end in the order a merge's inserts (-I, each at the top) leave them.
    const rendered = whole ? withJumps(r.text, jumpRules(this.opts.localhostNodePorts ?? true).reverse(), '-A') : withJumps(r.text, missingJumps, '-I');
    // Canaries only on full syncs: declaring an existing empty chain again is harmless, but a
    // partial sync has no reason to touch them (and must not hide their absence).
    // The periodic resync writes the fixed chains whole, as every upstream partial sync does, so an
    // outside change to one of them (not caught by the canaries) is undone within a resync period.
    const { text, omitted } = full
      ? { text: withCanaries(rendered), omitted: 0 }
      : this.opts.omitUnchangedChains === false || changes.resync === true
        ? { text: rendered, omitted: 0 }
        : omitUnchanged(rendered, this.written);
    const t1 = performance.now();
    const res = await this.exec.run(whole ? wholeRestoreArgv : restoreArgv, text);
    const t2 = performance.now();
    if (res.code !== 0) {
      throw new Error(`iptables-restore failed (exit ${res.code}): ${res.stderr.trim()}${lineContext(text, res.stderr)}`);
    }
    this.lastRestore = text;
    this.written = afterRestore(full ? null : this.written, rendered);
    this.natChains = r.activeNatChains;
    this.hairpinChains = r.hairpinChains;
    this.kernel.succeeded(full);
    const conntrackDeletes = await this.kernel.clearStaleConntrack(this.exec, serviceMap, endpointsMap, this.opts.nodeName);
    this.lastSync = { full, canary, renderMs: t1 - t0, restoreMs: t2 - t1, bytes: text.length, omittedChains: omitted, deletedChains: r.deletedChains.length, conntrackDeletes };
  }

  /**
   * Leaves the rules (upstream's kube-proxy does too): stopping must not black-hole Services, and
   * it must not need the namespace to still exist. The next sync of any provider starts full.
   */
  async stop(): Promise<void> {
    this.kernel.invalidate();
  }

  /** Removes every jump rule and chain kube-proxy owns (upstream's CleanupLeftovers), in one restore. */
  async cleanup(): Promise<void> {
    const saved = await this.save();
    // kubelet's KUBE-FIREWALL jumps stay, as upstream's cleanup leaves them.
    const present = jumpRules(false).filter((j) => saved.get(j.table)?.rules.has(jumpLine(j)));
    const ours = (table: string, fixed: string[]): string[] => {
      const chains = saved.get(table)?.chains ?? new Set<string>();
      return [...chains].filter((c) => fixed.includes(c) || (table === 'nat' && isServiceChainName(c)));
    };
    const natOwn = ours('nat', [kubeServicesChain, kubeNodePortsChain, kubePostroutingChain, kubeMarkMasqChain, kubeProxyCanaryChain]);
    const filterOwn = ours('filter', [kubeServicesChain, 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', kubeNodePortsChain, 'KUBE-PROXY-FIREWALL', kubeProxyCanaryChain]);
    const mangleOwn = ours('mangle', [kubeProxyCanaryChain]);
    const section = (table: 'filter' | 'nat' | 'mangle', chains: string[]): string[] => [
      `*${table}`,
      ...chains.map((c) => `:${c} - [0:0]`),
      ...present.filter((j) => j.table === table).map((j) => `-D ${j.from} ${j.spec}`),
      ...chains.map((c) => `-X ${c}`),
      'COMMIT',
    ];
    // mangle only when it holds a canary: an empty *mangle section would create the table.
    const text = [...section('filter', filterOwn), ...section('nat', natOwn), ...(mangleOwn.length ? section('mangle', mangleOwn) : []), ''].join('\n');
    const res = await this.exec.run(restoreArgv, text);
    if (res.code !== 0) throw new Error(`iptables-restore (cleanup) failed (exit ${res.code}): ${res.stderr.trim()}`);
    this.natChains = new Set();
    this.hairpinChains = new Map();
    this.kernel.invalidate();
  }

  /**
   * Whether every KUBE-PROXY-CANARY chain still exists: `iptables -w -t <table> -S <chain>` per
   * table, stopping at the first missing. Any failure (no such chain, no such table, a lock
   * timeout, a tool that hung) counts as missing: the worst outcome is one full sync too many.
   */
  private async canariesPresent(): Promise<boolean> {
    for (const t of canaryTables) {
      const r = await this.exec.run(['iptables', '-w', '5', '-t', t, '-S', kubeProxyCanaryChain]);
      if (r.code !== 0) return false;
    }
    return true;
  }

  private async save(): Promise<ReturnType<typeof parseIptablesSave>> {
    const res = await this.exec.run(['iptables-save']);
    if (res.code !== 0) throw new Error(`iptables-save failed (exit ${res.code}): ${res.stderr.trim()}`);
    return parseIptablesSave(res.stdout);
  }
}

/**
 * Declares KUBE-PROXY-CANARY in mangle, nat and filter: a mangle section before the rendering's
 * filter and nat sections, and a declaration right after each of their headers.
 */
export function withCanaries(text: string): string {
  const decl = `:${kubeProxyCanaryChain} - [0:0]`;
  const body = text.replace(/^\*(filter|nat)\n/gm, (h) => `${h}${decl}\n`);
  return `*mangle\n${decl}\nCOMMIT\n${body}`;
}

/** Adds jump-rule lines at the end of their table's section of a rendering. */
export function withJumps(text: string, jumps: JumpRule[], op: '-I' | '-A' | '-D'): string {
  if (jumps.length === 0) return text;
  const lines = (table: string): string => jumps.filter((j) => j.table === table).map((j) => `${op} ${j.from} ${j.spec}\n`).join('');
  const natAt = text.indexOf('*nat\n');
  const filterCommit = text.lastIndexOf('COMMIT\n', natAt);
  const natCommit = text.lastIndexOf('COMMIT\n');
  return text.slice(0, filterCommit) + lines('filter') + text.slice(filterCommit, natCommit) + lines('nat') + text.slice(natCommit);
}

/** iptables-restore names the failing line ("line 12 failed"): show it, as upstream logs it. */
function lineContext(text: string, stderr: string): string {
  const m = /line (\d+) failed/.exec(stderr);
  if (!m) return '';
  const n = Number(m[1]);
  return `\n  line ${n}: ${text.split('\n')[n - 1] ?? ''}`;
}
