// Rate-limited taint eviction per zone (upstream's zoneNoExecuteTainter with handleDisruption):
// new NoExecute health taints — which start the eviction of a node's pods — are added at most
// --node-eviction-rate per second in each zone (burst 1). A zone where at least
// --unhealthy-zone-threshold of its nodes (and more than 2) are not Ready is partially disrupted:
// it slows to --secondary-node-eviction-rate if it has more than --large-cluster-size-threshold
// nodes, and stops otherwise. When every node of every zone is not Ready, the fault is more likely
// the control plane's view than the nodes: no node is tainted for eviction and existing NoExecute
// health taints are removed, until some node is Ready again.
import type { Node } from '../../api/core.js';
import { TokenBucket } from '../../client/token-bucket.js';

export interface EvictionRateOptions {
  /** --node-eviction-rate (default 0.1 nodes per second). */
  evictionRate?: number;
  /** --secondary-node-eviction-rate (default 0.01). */
  secondaryEvictionRate?: number;
  /** --large-cluster-size-threshold (default 50). */
  largeClusterSizeThreshold?: number;
  /** --unhealthy-zone-threshold (default 0.55). */
  unhealthyZoneThreshold?: number;
}

export type ZoneState = 'Normal' | 'PartialDisruption' | 'FullDisruption';

const zoneLabels = ['topology.kubernetes.io/zone', 'failure-domain.beta.kubernetes.io/zone'];
const regionLabels = ['topology.kubernetes.io/region', 'failure-domain.beta.kubernetes.io/region'];
/** Nodes with this label are left out of the disruption count (upstream's LabelNodeExcludeDisruption). */
export const excludeDisruptionLabel = 'node.kubernetes.io/exclude-disruption';

/** GetZoneKey: region and zone, '' for a node that has neither. */
export function zoneKey(node: Node): string {
  const labels = node.metadata.labels ?? {};
  const pick = (keys: string[]) => keys.map((k) => labels[k]).find((v) => v !== undefined) ?? '';
  const region = pick(regionLabels);
  const zone = pick(zoneLabels);
  return region === '' && zone === '' ? '' : `${region}:\x00:${zone}`;
}

/** ComputeZoneState from the Ready status of the zone's nodes. */
export function computeZoneState(ready: boolean[], unhealthyZoneThreshold: number): ZoneState {
  const readyNodes = ready.filter(Boolean).length;
  const notReady = ready.length - readyNodes;
  if (readyNodes === 0 && notReady > 0) return 'FullDisruption';
  if (notReady > 2 && notReady / ready.length >= unhealthyZoneThreshold) return 'PartialDisruption';
  return 'Normal';
}

export class ZoneTainters {
  private readonly rate: number;
  private readonly secondaryRate: number;
  private readonly largeCluster: number;
  private readonly unhealthyThreshold: number;
  private readonly limiters = new Map<string, TokenBucket>();
  private readonly states = new Map<string, ZoneState>();
  private allDisrupted = false;

  constructor(opts: EvictionRateOptions = {}) {
    this.rate = opts.evictionRate ?? 0.1;
    this.secondaryRate = opts.secondaryEvictionRate ?? 0.01;
    this.largeCluster = opts.largeClusterSizeThreshold ?? 50;
    this.unhealthyThreshold = opts.unhealthyZoneThreshold ?? 0.55;
  }

  /** True while every zone is fully disrupted: no NoExecute health taint should stay or be added. */
  get allFullyDisrupted(): boolean {
    return this.allDisrupted;
  }

  state(zone: string): ZoneState {
    return this.states.get(zone) ?? 'Normal';
  }

  /** handleDisruption: recomputes each zone's state from `nodes` and sets its tainting rate. */
  update(nodes: Node[], isReady: (n: Node) => boolean, nowMs: number): void {
    const byZone = new Map<string, boolean[]>();
    for (const n of nodes) {
      if (n.metadata.labels?.[excludeDisruptionLabel] !== undefined) continue;
      const z = zoneKey(n);
      byZone.set(z, [...(byZone.get(z) ?? []), isReady(n)]);
    }
    for (const [zone, ready] of byZone) this.states.set(zone, computeZoneState(ready, this.unhealthyThreshold));
    for (const zone of [...this.states.keys()]) if (!byZone.has(zone)) this.states.delete(zone);
    this.allDisrupted = this.states.size > 0 && [...this.states.values()].every((s) => s === 'FullDisruption');
    for (const [zone, state] of this.states) {
      const size = byZone.get(zone)?.length ?? 0;
      const qps = this.allDisrupted ? 0 : state === 'PartialDisruption' ? (size > this.largeCluster ? this.secondaryRate : 0) : this.rate;
      // SwapLimiter: a new bucket only when the rate changes, so a steady zone keeps its spent tokens.
      if (this.limiters.get(zone)?.qps !== qps) this.limiters.set(zone, new TokenBucket(qps, 1, nowMs));
    }
  }

  /** A token to taint one more node of `zone` now; otherwise how long to wait (Infinity: evictions are stopped). */
  tryTaint(zone: string, nowMs: number): { ok: true } | { ok: false; retryMs: number } {
    if (this.allDisrupted) return { ok: false, retryMs: Infinity };
    let limiter = this.limiters.get(zone);
    if (!limiter) {
      limiter = new TokenBucket(this.rate, 1, nowMs);
      this.limiters.set(zone, limiter);
    }
    if (limiter.tryAccept(nowMs)) return { ok: true };
    return { ok: false, retryMs: limiter.msUntilToken(nowMs) };
  }
}
