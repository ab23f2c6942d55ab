// Node health as the node lifecycle controller judges it (upstream's tryUpdateNodeHealth and
// taint handling), as pure functions: a node is unreachable once its Lease has not been renewed
// for the grace period, measured on our own clock from when we last saw the renewTime change (so
// clock skew between node and controller does not matter).
import type { Node } from '../../api/core.js';
import type { Condition } from '../../api/meta.js';
import { notReadyTaintKey, toleratesTaint, unreachableTaintKey, type Toleration } from '../../api/scheduling/taints.js';
import { metaTime } from '../../machinery/time.js';

export { notReadyTaintKey, unreachableTaintKey };
export const nodeStatusUnknownReason = 'NodeStatusUnknown';
export const nodeStatusUnknownMessage = 'Kubelet stopped posting node status.';
/** The conditions upstream marks Unknown along with Ready. */
export const monitoredConditions = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface ProbeRecord {
  /** The newest heartbeat seen (ms since epoch, 0 for none). */
  heartbeat: number;
  /** Our clock when the heartbeat last moved forward. */
  probeTimestamp: number;
}

/**
 * Records the newest heartbeat (Lease renewTime or Ready lastHeartbeatTime); stale when it has not
 * moved for the grace period. Only a heartbeat newer than the last one counts: what this
 * controller itself writes never moves it forward, and after a restart an old Unknown is not undone.
 */
export function observeLease(
  rec: ProbeRecord | undefined,
  heartbeat: number,
  now: number,
  gracePeriodMs: number,
): { rec: ProbeRecord; stale: boolean; renewed: boolean } {
  const renewed = rec !== undefined && heartbeat > rec.heartbeat;
  // A node never heard from is judged from when we first saw it, as upstream does with node creation.
  const next = !rec || renewed ? { heartbeat, probeTimestamp: now } : rec;
  return { rec: next, stale: now - next.probeTimestamp > gracePeriodMs, renewed };
}

/** The newest of the node's heartbeats, in ms (0 when none). */
export function latestHeartbeat(renewTime: string | undefined, readyHeartbeat: string | undefined): number {
  const a = renewTime ? Date.parse(renewTime) || 0 : 0;
  const b = readyHeartbeat ? Date.parse(readyHeartbeat) || 0 : 0;
  return Math.max(a, b);
}

export function readyCondition(node: Node): Condition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}


/** The node's conditions with Ready and the pressure conditions set Unknown; undefined when already so. */
export function markUnknown(node: Node, now: number): Condition[] | undefined {
  const conds = structuredClone(node.status?.conditions ?? []);
  let changed = false;
  for (const type of monitoredConditions) {
    const c = conds.find((x) => x.type === type);
    if (!c) {
      // Never posted: upstream dates the heartbeat at the node's creation (and it must not look like a new heartbeat).
      const created = node.metadata.creationTimestamp ?? metaTime(now);
      conds.push({ type, status: 'Unknown', reason: nodeStatusUnknownReason, message: nodeStatusUnknownMessage, lastHeartbeatTime: created, lastTransitionTime: metaTime(now) });
      changed = true;
    } else if (c.status !== 'Unknown') {
      c.status = 'Unknown';
      c.reason = nodeStatusUnknownReason;
      c.message = nodeStatusUnknownMessage;
      c.lastTransitionTime = metaTime(now);
      changed = true;
    }
  }
  return changed ? conds : undefined;
}

/**
 * A node whose Lease is fresh again after we marked it Unknown: Ready comes back True. (Upstream
 * leaves that to the kubelet's next status post; our node agent may only renew its Lease.)
 */
export function markReadyAgain(node: Node, now: number): Condition[] | undefined {
  const conds = structuredClone(node.status?.conditions ?? []);
  const c = conds.find((x) => x.type === 'Ready');
  if (!c || c.status !== 'Unknown' || c.reason !== nodeStatusUnknownReason) return undefined;
  c.status = 'True';
  c.reason = 'KubeletReady';
  c.message = 'kubelet is posting ready status';
  c.lastTransitionTime = metaTime(now);
  for (const type of monitoredConditions.slice(1)) {
    const p = conds.find((x) => x.type === type);
    if (p && p.status === 'Unknown' && p.reason === nodeStatusUnknownReason) {
      p.status = 'False';
      p.reason = `KubeletHas${type === 'MemoryPressure' ? 'SufficientMemory' : type === 'DiskPressure' ? 'NoDiskPressure' : 'SufficientPID'}`;
      p.message = '';
      p.lastTransitionTime = metaTime(now);
    }
  }
  return conds;
}

/** The taints the Ready condition calls for (NoSchedule from TaintNodesByCondition, NoExecute for eviction). */
export function desiredHealthTaints(node: Node, now: number): Taint[] {
  const status = readyCondition(node)?.status;
  const key = status === 'Unknown' ? unreachableTaintKey : status === 'False' ? notReadyTaintKey : undefined;
  if (!key) return [];
  const existing = (node.spec?.taints ?? []) as Taint[];
  const keep = (effect: Taint['effect']) => existing.find((t) => t.key === key && t.effect === effect);
  return [keep('NoSchedule') ?? { key, effect: 'NoSchedule' }, keep('NoExecute') ?? { key, effect: 'NoExecute', timeAdded: metaTime(now) }];
}

/** The node's taints with health taints replaced by `desired`; undefined when nothing changes. */
export function reconcileTaints(node: Node, desired: Taint[]): Taint[] | undefined {
  const existing = (node.spec?.taints ?? []) as Taint[];
  const isHealth = (t: Taint) => t.key === unreachableTaintKey || t.key === notReadyTaintKey;
  const others = existing.filter((t) => !isHealth(t));
  const next = [...others, ...desired];
  const same = existing.length === next.length && existing.every((t) => next.some((n) => n.key === t.key && n.effect === t.effect));
  return same ? undefined : next;
}

/**
 * How long a pod may stay on a node with this NoExecute taint, in ms: 0 for at once (no toleration
 * matches, as upstream's taint eviction), undefined for forever. Most pods carry the 300 s the API
 * server's DefaultTolerationSeconds admission gave them.
 */
export function tolerationMs(tolerations: unknown[] | undefined, taint: Taint): number | undefined {
  const matching = ((tolerations ?? []) as Toleration[]).filter((t) => toleratesTaint(t, taint));
  if (matching.length === 0) return 0;
  let min: number | undefined;
  for (const t of matching) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    const ms = Math.max(0, t.tolerationSeconds) * 1000;
    min = min === undefined ? ms : Math.min(min, ms);
  }
  return min;
}
