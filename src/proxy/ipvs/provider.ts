// The IPVS mode's Provider: applies buildIPVSPlan's output through a RuleExecutor, as upstream's
// IPVS proxier (syncProxyRules) does. Every sync reconciles against what the kernel reports rather
// than against the change sets: IPVS has no atomic replace, so the only safe diff is one against
// the kernel's own listing (`ipvsadm -Sn`, `ip addr`), and reading it costs one process each.
// Per sync, in this order (each step needs the previous one's objects):
//   1. kube-ipvs0 gets the missing Service addresses (one `ip -batch -`);
//   2. ipsets: one `ipset restore -exist` creating every set, adding new members, deleting gone ones;
//   3. IPVS: one `ipvsadm -R` holding only the differences (-A/-E/-D, -a/-e/-d), with graceful
//      termination for real servers that went away (weight 0 first, deleted later);
//   4. iptables: one `iptables-restore --noflush` (the ipsets it matches exist by now), and on full
//      syncs the jumps from the built-in chains, checked with `iptables -C` and inserted with -I;
//   5. addresses no Service wants any more leave kube-ipvs0 (after their virtual servers are gone,
//      as upstream's cleanLegacyService unbinds after deleting);
//   6. stale UDP conntrack entries are deleted (shared with the iptables and nftables modes).
import { KernelSync, type KernelSyncOptions } from '../kernel-sync.js';
import type { ConntrackTraffic } from '../metrics/conntrack-traffic.js';
import { commandExecutor } from '../executor.js';
import { netContains, parseIPv4Net } from '../ip.js';
import type { Provider, ProxyChanges } from '../provider.js';
import type { RuleExecutor } from '../rules.js';
import type { EndpointsMap, ServicePortMap } from '../types.js';
import { createLine, ipsetInfo, sortEntries, type IPSetEntries } from './ipset.js';
import { jumpRules, renderIPVSIptables } from './iptables.js';
import { dummyDevice } from './ipvsadm.js';
import { buildIPVSPlan, type IPVSScheduler, type VirtualServer } from './plan.js';
import { parseIPAddrShow, parseIPSetSave, parseIPVSSave, vsKey, type IPVSState } from './state.js';

export interface IpvsProviderOptions extends KernelSyncOptions {
  nodeName: string;
  nodeIPs: string[];
  /** The pod range: only traffic from outside it is masqueraded to ClusterIPs. */
  clusterCIDR?: string;
  /** --ipvs-scheduler (default rr). */
  scheduler?: IPVSScheduler;
  /**
   * Virtual servers whose address is in one of these are never deleted (upstream's
   * --ipvs-exclude-cidrs): every other IPv4 TCP/UDP/SCTP virtual server not in the plan is
   * removed, as upstream's cleanLegacyService does.
   */
  excludeCIDRs?: string[];
  /**
   * How long a TCP real server whose endpoint went away stays at weight 0 before it is deleted.
   * Upstream deletes it once IPVS reports no active and inactive connections; `ipvsadm -Sn` does
   * not carry those counts, so a fixed grace stands in: long enough for a pod's default 30 s
   * termination plus IPVS's 2-minute FIN_WAIT/TIME_WAIT timeouts. UDP and SCTP real servers are
   * deleted at once, as upstream (which never waits on connections for them) does. Default 150 s.
   */
  gracePeriodMs?: number;
  /** Runs ip, ipset, ipvsadm, iptables, conntrack and sysctl; `netnsExecutor(netns)` for a node's namespace. */
  executor?: RuleExecutor;
  /**
   * Set net.ipv4.vs.conntrack=1 (without it IPVS bypasses conntrack and the MASQUERADE rules never
   * see the traffic), expire_nodest_conn=1 and expire_quiescent_template=1 at start, as upstream's
   * NewProxier does. Per-namespace sysctls: startProxy sets this only with a netns, so the host's
   * are never written. Default false.
   */
  setSysctls?: boolean;
}

export interface IpvsSyncStats {
  full: boolean;
  /** Lines of the `ipvsadm -R` input (0: nothing sent). */
  ipvsadmLines: number;
  addressesAdded: number;
  addressesRemoved: number;
  ipsetChanges: number;
  /** Real servers at weight 0 waiting for their grace period. */
  terminating: number;
  conntrackDeletes: number;
}

export const ipvsSysctls = ['net.ipv4.vs.conntrack', 'net.ipv4.vs.expire_nodest_conn', 'net.ipv4.vs.expire_quiescent_template'] as const;

const iptablesRestoreArgv = ['iptables-restore', '-w', '5', '--noflush'];
/** The chains renderIPVSIptables declares, per table: what cleanup removes. */
const ownChains: Record<'nat' | 'filter', string[]> = {
  nat: ['KUBE-SERVICES', 'KUBE-POSTROUTING', 'KUBE-NODE-PORT', 'KUBE-LOAD-BALANCER', 'KUBE-MARK-MASQ'],
  filter: ['KUBE-FORWARD', 'KUBE-NODE-PORT', 'KUBE-PROXY-FIREWALL', 'KUBE-SOURCE-RANGES-FIREWALL', 'KUBE-IPVS-FILTER', 'KUBE-IPVS-OUT-FILTER'],
};

type Result = { code: number; stdout: string; stderr: string };

export class IpvsProvider implements Provider {
  readonly mode = 'ipvs';
  private readonly exec: RuleExecutor;
  private readonly now: () => number;
  private readonly grace: number;
  private readonly exclude: { base: number; mask: number }[];
  private readonly kernel: KernelSync;

  /** What went through this node's Services, from its conntrack table (../metrics/conntrack-traffic.ts). */
  get traffic(): ConntrackTraffic | undefined {
    return this.kernel.traffic;
  }
  /** Set members after the last successful `ipset restore`; undefined = read `ipset save` first. */
  private ipsets: Map<string, Set<string>> | undefined;
  /** "vsKey rs" → when it was set to weight 0. */
  private terminating = new Map<string, number>();
  lastSync: IpvsSyncStats | undefined;
  /** The `ipvsadm -R` input of the last sync that sent one. */
  lastIPVSRestore = '';

  constructor(private readonly opts: IpvsProviderOptions) {
    this.exec = opts.executor ?? commandExecutor();
    this.now = opts.now ?? Date.now;
    // No cheap check exists here, so the periodic resync is full: it is what re-reads the ipsets
    // (otherwise remembered) and re-checks the jump rules, the parts an outside flush removes;
    // IPVS itself is diffed against the kernel's listing on every sync anyway, so full costs only
    // those few processes.
    this.kernel = new KernelSync(opts, {});
    this.grace = opts.gracePeriodMs ?? 150_000;
    this.exclude = (opts.excludeCIDRs ?? []).flatMap((c) => {
      const n = parseIPv4Net(c);
      return n ? [n] : [];
    });
  }

  /** Ensures kube-ipvs0 (down, as upstream keeps it: its addresses are local without it answering ARP) and the sysctls. */
  async start(): Promise<void> {
    if (this.opts.setSysctls) {
      for (const s of ipvsSysctls) await this.must(['sysctl', '-w', `${s}=1`], `setting ${s}=1`);
    }
    await this.ensureDevice();
  }

  async sync(serviceMap: ServicePortMap, endpointsMap: EndpointsMap, changes: ProxyChanges): Promise<void> {
    // Until this sync succeeds, the in-memory view (ipset members) cannot be trusted.
    const { full } = await this.kernel.plan(changes);
    if (full) this.ipsets = undefined;
    const plan = buildIPVSPlan(
      { serviceMap, endpointsMap, nodeName: this.opts.nodeName, nodeIPs: this.opts.nodeIPs, ...(this.opts.clusterCIDR ? { clusterCIDR: this.opts.clusterCIDR } : {}) },
      this.opts.scheduler ? { scheduler: this.opts.scheduler } : {},
    );

    // 1. Addresses first: a virtual server on an address the node does not have gets no traffic.
    const bound = await this.boundAddresses();
    const wanted = new Set(plan.bindAddresses);
    const toAdd = plan.bindAddresses.filter((a) => !bound.has(a));
    const toRemove = [...bound].filter((a) => !wanted.has(a));
    await this.ipBatch(toAdd.map((a) => `addr add ${a}/32 dev ${dummyDevice}`));

    // 2. ipsets.
    const ipsetChanges = await this.syncIPSets(plan.ipsets);

    // 3. IPVS.
    const cur = await this.ipvsState();
    const { lines: ipvsLines, terminating } = this.ipvsDiff(plan.virtualServers, cur);
    if (ipvsLines.length > 0) {
      const text = ipvsLines.join('\n') + '\n';
      await this.must(['ipvsadm', '-R'], 'ipvsadm -R', text);
      this.lastIPVSRestore = text;
    }
    // Only now: had ipvsadm -R failed, the servers it was to set to weight 0 would still be at
    // their old weight, and starting their grace anyway would delete them early later on.
    this.terminating = terminating;

    // 4. iptables.
    const rules = renderIPVSIptables({
      ipsets: plan.ipsets,
      lbNoNodeAccess: plan.lbNoNodeAccess,
      ...(this.opts.clusterCIDR ? { clusterCIDR: this.opts.clusterCIDR } : {}),
    });
    await this.must(iptablesRestoreArgv, 'iptables-restore', rules);
    if (full) await this.ensureJumps();

    // 5. Unbind what no Service uses (its virtual server was deleted in step 3).
    await this.ipBatch(toRemove.map((a) => `addr del ${a}/32 dev ${dummyDevice}`));

    this.kernel.succeeded(full);
    const conntrackDeletes = await this.kernel.clearStaleConntrack(this.exec, serviceMap, endpointsMap, this.opts.nodeName);
    this.lastSync = {
      full,
      ipvsadmLines: ipvsLines.length,
      addressesAdded: toAdd.length,
      addressesRemoved: toRemove.length,
      ipsetChanges,
      terminating: this.terminating.size,
      conntrackDeletes,
    };
  }

  /**
   * Leaves kube-ipvs0, the virtual servers, the ipsets and the rules, as upstream's kube-proxy
   * does on exit: Services keep working across a restart, whose first sync reconciles them.
   */
  async stop(): Promise<void> {
    this.kernel.invalidate();
  }

  /**
   * Upstream's CleanupLeftovers for IPVS: every virtual server not excluded, the jump rules and
   * our chains, then the ipsets (only once no rule references them), then kube-ipvs0 with its
   * addresses. Steps that find nothing to remove are not errors.
   */
  async cleanup(): Promise<void> {
    const cur = await this.ipvsState();
    const dels = [...cur.values()].filter((vs) => !this.excluded(vs.address)).map((vs) => `-D ${vsKey(vs.protocol, vs.address)}`);
    if (dels.length > 0) await this.must(['ipvsadm', '-R'], 'ipvsadm -R (cleanup)', dels.join('\n') + '\n');
    this.terminating.clear();
    for (const j of jumpRules) {
      const spec = jumpSpec(j);
      const c = await this.exec.run(['iptables', '-w', '5', '-t', j.table, '-C', j.from, ...spec]);
      if (c.code === 0) await this.must(['iptables', '-w', '5', '-t', j.table, '-D', j.from, ...spec], `removing jump ${j.from} → ${j.to}`);
    }
    // Declaring a chain in a --noflush restore flushes it, so every -X below finds it empty and unreferenced.
    const section = (t: 'nat' | 'filter') => [`*${t}`, ...ownChains[t].map((c) => `:${c} - [0:0]`), ...ownChains[t].map((c) => `-X ${c}`), 'COMMIT'];
    await this.must(iptablesRestoreArgv, 'iptables-restore (cleanup)', [...section('nat'), ...section('filter'), ''].join('\n'));
    for (const s of ipsetInfo) {
      const r = await this.exec.run(['ipset', 'destroy', s.name]);
      if (r.code !== 0 && !/does not exist/i.test(r.stderr)) throw new Error(`ipset destroy ${s.name} failed (exit ${r.code}): ${r.stderr.trim()}`);
    }
    this.ipsets = undefined;
    const r = await this.exec.run(['ip', 'link', 'del', dummyDevice]);
    if (r.code !== 0 && !/cannot find device/i.test(r.stderr)) throw new Error(`ip link del ${dummyDevice} failed (exit ${r.code}): ${r.stderr.trim()}`);
    this.kernel.invalidate();
  }

  private async ensureDevice(): Promise<void> {
    const add = await this.exec.run(['ip', 'link', 'add', dummyDevice, 'type', 'dummy']);
    if (add.code !== 0 && !/file exists/i.test(add.stderr)) {
      const why = `\`ip link add ${dummyDevice} type dummy\` failed (exit ${add.code}): ${add.stderr.trim()}`;
      // A kernel without the dummy link type (CONFIG_DUMMY) can never run this mode: say so
      // instead of failing every sync with iproute2's terse "Unknown device type".
      if (/unknown device type|not supported/i.test(add.stderr)) {
        throw new Error(
          `proxy mode "ipvs" needs the kernel's dummy network device (the dummy module, CONFIG_DUMMY) for ${dummyDevice}, ` +
            `where it binds the Service addresses; this kernel lacks it: ${why}`,
        );
      }
      throw new Error(`proxy mode "ipvs" cannot create ${dummyDevice}: ${why}`);
    }
    // Down on purpose: the kernel still treats its addresses as local (so IPVS sees the traffic),
    // but a down device never answers ARP for them on behalf of the node.
    await this.must(['ip', 'link', 'set', dummyDevice, 'down'], `ip link set ${dummyDevice} down`);
  }

  /** Addresses on kube-ipvs0; re-creates the device if someone removed it. */
  private async boundAddresses(): Promise<Set<string>> {
    const r = await this.exec.run(['ip', '-o', 'addr', 'show', 'dev', dummyDevice]);
    if (r.code === 0) return new Set(parseIPAddrShow(r.stdout));
    await this.ensureDevice();
    return new Set();
  }

  private async ipBatch(lines: string[]): Promise<void> {
    if (lines.length > 0) await this.must(['ip', '-batch', '-'], 'ip -batch', lines.join('\n') + '\n');
  }

  /** Returns how many add/del lines were sent. */
  private async syncIPSets(want: IPSetEntries): Promise<number> {
    const names = new Set(ipsetInfo.map((s) => s.name));
    let have = this.ipsets;
    if (!have) {
      const r = await this.must(['ipset', 'save'], 'ipset save');
      have = parseIPSetSave(r.stdout, names);
    }
    const creates: string[] = [];
    const adds: string[] = [];
    const dels: string[] = [];
    for (const s of ipsetInfo) {
      const cur = have.get(s.name);
      const next = want.get(s.name) ?? new Set<string>();
      // Creating an existing identical set is a no-op under -exist; listing only missing ones keeps the restore small.
      if (!cur) creates.push(createLine(s));
      for (const e of sortEntries(next)) if (!cur?.has(e)) adds.push(`add ${s.name} ${e}`);
      for (const e of sortEntries(cur ?? [])) if (!next.has(e)) dels.push(`del ${s.name} ${e}`);
    }
    // Adds before deletes: a member that stays is never missing, and a new one is there before an old one goes.
    const lines = [...creates, ...adds, ...dels];
    if (lines.length > 0) await this.must(['ipset', 'restore', '-exist'], 'ipset restore', lines.join('\n') + '\n');
    this.ipsets = new Map(ipsetInfo.map((s) => [s.name, new Set(want.get(s.name) ?? [])]));
    return adds.length + dels.length;
  }

  private async ipvsState(): Promise<IPVSState> {
    const r = await this.must(['ipvsadm', '-Sn'], 'ipvsadm -Sn');
    return parseIPVSSave(r.stdout);
  }

  /**
   * The `ipvsadm -R` lines turning `cur` into the plan, and the graceful-termination list as it
   * will be once they are applied (a new map: the caller adopts it only after ipvsadm succeeded).
   */
  private ipvsDiff(plan: readonly VirtualServer[], cur: IPVSState): { lines: string[]; terminating: Map<string, number> } {
    const now = this.now();
    const terminating = new Map(this.terminating);
    const want = new Map<string, VirtualServer>();
    // Two Services may claim one address and port (an external IP equal to another's ClusterIP):
    // the first in the plan's order wins, as only one virtual server can exist.
    for (const vs of plan) {
      const k = vsKey(vs.protocol, `${vs.address}:${vs.port}`);
      if (!want.has(k)) want.set(k, vs);
    }
    const lines: string[] = [];
    for (const [k, vs] of cur) {
      if (want.has(k) || this.excluded(vs.address)) continue;
      // Deleting a virtual server deletes its real servers with it.
      lines.push(`-D ${k}`);
    }
    const seen = new Set<string>();
    for (const [k, vs] of want) {
      const have = cur.get(k);
      const p = vs.persistentTimeout !== undefined ? ` -p ${vs.persistentTimeout}` : '';
      if (!have) lines.push(`-A ${k} -s ${vs.scheduler}${p}`);
      else if (have.scheduler !== vs.scheduler || have.persistentTimeout !== vs.persistentTimeout) lines.push(`-E ${k} -s ${vs.scheduler}${p}`);
      const wantRS = new Set<string>();
      for (const rs of vs.realServers) {
        const a = `${rs.ip}:${rs.port}`;
        wantRS.add(a);
        const t = `${k} ${a}`;
        seen.add(t);
        terminating.delete(t);
        const h = have?.realServers.get(a);
        if (!h) lines.push(`-a ${k} -r ${a} -m -w ${rs.weight}`);
        else if (h.weight !== rs.weight || h.method !== '-m') lines.push(`-e ${k} -r ${a} -m -w ${rs.weight}`);
      }
      for (const [a, h] of have?.realServers ?? []) {
        if (wantRS.has(a)) continue;
        const t = `${k} ${a}`;
        seen.add(t);
        const since = terminating.get(t);
        // Upstream waits on connection counts only for TCP; UDP and SCTP servers go at once.
        if (vs.protocol !== 'TCP' || (since !== undefined && now - since >= this.grace)) {
          lines.push(`-d ${k} -r ${a}`);
          terminating.delete(t);
          continue;
        }
        // Weight 0: no new connections, established ones continue until the grace ends.
        if (h.weight !== 0) lines.push(`-e ${k} -r ${a} ${h.method} -w 0`);
        // A server already at 0 that we did not know (a restart) starts its grace now.
        if (since === undefined) terminating.set(t, now);
      }
    }
    // Entries whose virtual or real server vanished some other way need no more tracking.
    for (const t of terminating.keys()) if (!seen.has(t)) terminating.delete(t);
    return { lines, terminating };
  }

  private excluded(address: string): boolean {
    const ip = address.slice(0, address.lastIndexOf(':'));
    return this.exclude.some((n) => netContains(n, ip));
  }

  /** Upstream's EnsureRule(Prepend, …) for each jump: -C, and -I only when missing, so no duplicates pile up. */
  private async ensureJumps(): Promise<void> {
    for (const j of jumpRules) {
      const spec = jumpSpec(j);
      const c = await this.exec.run(['iptables', '-w', '5', '-t', j.table, '-C', j.from, ...spec]);
      if (c.code === 0) continue;
      await this.must(['iptables', '-w', '5', '-t', j.table, '-I', j.from, ...spec], `iptables -I ${j.from} → ${j.to}`);
    }
  }

  private async must(argv: string[], what: string, input?: string): Promise<Result> {
    const r = await this.exec.run(argv, input);
    if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return r;
  }
}

function jumpSpec(j: (typeof jumpRules)[number]): string[] {
  return ['-m', 'comment', '--comment', j.comment, '-j', j.to];
}

