// The part of a sync every kernel mode (iptables, nftables, IPVS) decides the same way, as
// upstream's proxiers share it: whether this sync is full or partial (the first one, after a
// failure, after a stop, once FullSyncPeriod has passed, or when a cheap check finds the mode's
// data plane removed behind its back), the stale UDP conntrack cleanup after a successful
// sync, and the traffic figures read from conntrack. Each mode keeps only what its tools differ in: how it renders, applies and checks.
import { clearStaleUdpConntrack, emptyUdpSnapshot, udpSnapshot, type UdpSnapshot } from './conntrack.js';
import { ConntrackTraffic } from './metrics/conntrack-traffic.js';
import type { ProxyChanges } from './provider.js';
import type { RuleExecutor } from './rules.js';
import type { EndpointsMap, ServicePortMap } from './types.js';

export interface KernelSyncOptions {
  /** A full sync when the last one is at least this old (upstream's FullSyncPeriod: 1 hour). */
  fullSyncPeriodMs?: number;
  /**
   * Partial syncs check that the data plane is still there (iptables: the canary chains; nftables:
   * the table) when the framework's periodic resync asks, and also when the last check is older
   * than this (default 30 s): under a steady stream of changes the runner never reaches its
   * periodic run, yet an outside flush must still be noticed. 0 checks on every partial sync.
   */
  checkPeriodMs?: number;
  /** Delete stale UDP conntrack entries after each successful sync (default true; benches turn it off). */
  conntrack?: boolean;
  /**
   * Turn conntrack accounting on for byte counts in the traffic figures: only in a node's own
   * namespace (startProxy passes it with a netns); on the host kubesvc only reads what is there.
   */
  conntrackAccounting?: boolean;
  /** Clock for the periods above (tests). */
  now?: () => number;
}

/** What the check found ('unchecked': this sync did not look). A missing data plane makes the sync full. */
export type DataPlaneCheck = 'present' | 'missing' | 'unchecked';

export interface SyncPlan {
  full: boolean;
  check: DataPlaneCheck;
}

export interface KernelSyncMode {
  /**
   * Whether the mode's data plane is still in the kernel, cheaply. Absent: the mode cannot tell,
   * so the periodic resync is a full sync (IPVS, whose every sync reads the kernel anyway).
   */
  dataPlanePresent?(): Promise<boolean>;
}

export class KernelSync {
  private needFull = true;
  private lastFull = 0;
  private lastCheck = 0;
  /** Where UDP traffic was sent after the last successful sync. */
  private udp: UdpSnapshot = emptyUdpSnapshot();
  /** The traffic figures, from the node's conntrack table (made at the first successful sync, which brings the executor). */
  traffic: ConntrackTraffic | undefined;
  readonly now: () => number;

  constructor(
    private readonly opts: KernelSyncOptions,
    private readonly mode: KernelSyncMode,
  ) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Full or partial, and what the check found. Until `succeeded` is called the next sync is full
   * too: a failure part-way leaves the kernel in a state our own record no longer describes.
   */
  async plan(changes: ProxyChanges): Promise<SyncPlan> {
    const now = this.now();
    let full = changes.full || this.needFull || now - this.lastFull >= (this.opts.fullSyncPeriodMs ?? 3_600_000);
    let check: DataPlaneCheck = 'unchecked';
    if (!full && !this.mode.dataPlanePresent && changes.resync === true) full = true;
    if (!full && this.mode.dataPlanePresent && (changes.resync === true || now - this.lastCheck >= (this.opts.checkPeriodMs ?? 30_000))) {
      check = (await this.mode.dataPlanePresent()) ? 'present' : 'missing';
      this.lastCheck = this.now();
      if (check === 'missing') full = true;
    }
    this.needFull = true;
    return { full, check };
  }

  /** The sync planned last was applied: a full one also counts as a check (it wrote everything). */
  succeeded(full: boolean): void {
    this.needFull = false;
    if (full) {
      this.lastFull = this.now();
      this.lastCheck = this.lastFull;
    }
  }

  /** After a stop or a cleanup, or when the mode learns its record is wrong: the next sync is full. */
  invalidate(): void {
    this.needFull = true;
  }

  /**
   * Deletes the UDP conntrack entries that now point nowhere (as upstream's proxiers call
   * conntrack.CleanStaleEntries), only after the sync succeeded: a deleted entry is re-created by
   * the next datagram through whatever rules are in the kernel, so they must be the new ones.
   * Returns how many `conntrack -D` commands ran.
   */
  async clearStaleConntrack(exec: RuleExecutor, serviceMap: ServicePortMap, endpointsMap: EndpointsMap, nodeName: string): Promise<number> {
    (this.traffic ??= new ConntrackTraffic(exec, this.opts.conntrackAccounting === true)).setServices(serviceMap, endpointsMap);
    if (this.opts.conntrack === false) return 0;
    const next = udpSnapshot(serviceMap, endpointsMap, nodeName);
    const deletes = await clearStaleUdpConntrack(exec, this.udp, next);
    this.udp = next;
    return deletes;
  }
}
