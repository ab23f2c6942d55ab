// Which pods a ReplicaSet deletes first when it has too many (upstream's ActivePodsWithRanks and
// getPodsToDelete): the ones whose loss hurts least — unscheduled before scheduled, pending before
// running, not ready before ready, cheap (pod-deletion-cost) before expensive, doubled up on a node
// before alone, recently ready before long ready, often restarted before stable, newer before
// older. Time comparisons use logarithmic buckets (LogarithmicScaleDown, on by default), so pods of
// similar age are not told apart by milliseconds and ties go by uid.
import type { Pod } from '../../api/core.js';
import { isPodActive, isPodReady, getPodReadyCondition } from '../common/pod-util.js';

export const podDeletionCostAnnotation = 'controller.kubernetes.io/pod-deletion-cost';

const phaseOrdinal: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseRank(p: Pod): number {
  return phaseOrdinal[p.status?.phase ?? ''] ?? 0;
}

/** Invalid or absent costs count as 0, as upstream. */
export function deletionCost(p: Pod): number {
  const v = p.metadata.annotations?.[podDeletionCostAnnotation];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

/** Milliseconds since epoch, 0 meaning Go's zero time. */
function readyTime(p: Pod): number {
  if (!isPodReady(p)) return 0;
  const t = getPodReadyCondition(p)?.lastTransitionTime;
  return t ? Date.parse(t) || 0 : 0;
}

function creationTime(p: Pod): number {
  const t = p.metadata.creationTimestamp;
  return t ? Date.parse(t) || 0 : 0;
}

function maxContainerRestarts(p: Pod): number {
  return Math.max(0, ...(p.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

/** Zero time sorts first, then the later time. */
function afterOrZero(t1: number, t2: number): boolean {
  if (t1 === 0 || t2 === 0) return t1 === 0;
  return t1 > t2;
}

/** int64(log2(now - t)) in nanoseconds, as upstream; -1 when t is not in the past. */
function logRank(t: number, now: number): number {
  const d = (now - t) * 1e6;
  return d > 0 ? Math.floor(Math.log2(d)) : -1;
}

function compareTimes(t1: number, t2: number, now: number, uid1: string, uid2: string): boolean {
  if (now === 0 || t1 === 0 || t2 === 0) return afterOrZero(t1, t2);
  const diff = logRank(t1, now) - logRank(t2, now);
  if (diff === 0) return uid1 < uid2;
  return diff < 0;
}

export interface RankedPod {
  pod: Pod;
  /** Active related pods on the same node (more means doubled up, deleted first). */
  rank: number;
}

/** ActivePodsWithRanks.Less: true when a should be deleted before b. */
export function lessForDeletion(a: RankedPod, b: RankedPod, now: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  // 1. Unassigned < assigned
  if (na !== nb && (na === '' || nb === '')) return na === '';
  // 2. Pending < Unknown < Running
  if (phaseRank(pa) !== phaseRank(pb)) return phaseRank(pa) < phaseRank(pb);
  // 3. Not ready < ready
  if (isPodReady(pa) !== isPodReady(pb)) return !isPodReady(pa);
  // 4. Lower pod-deletion-cost < higher
  if (deletionCost(pa) !== deletionCost(pb)) return deletionCost(pa) < deletionCost(pb);
  // 5. Doubled up < not doubled up
  if (a.rank !== b.rank) return a.rank > b.rank;
  // 6. Been ready for empty time < less time < more time
  if (isPodReady(pa) && isPodReady(pb)) {
    const ra = readyTime(pa);
    const rb = readyTime(pb);
    if (ra !== rb) return compareTimes(ra, rb, now, pa.metadata.uid ?? '', pb.metadata.uid ?? '');
  }
  // 7. Higher restart counts < lower
  if (maxContainerRestarts(pa) !== maxContainerRestarts(pb)) return maxContainerRestarts(pa) > maxContainerRestarts(pb);
  // 8. Empty creation time < newer < older
  const ca = creationTime(pa);
  const cb = creationTime(pb);
  if (ca !== cb) return compareTimes(ca, cb, now, pa.metadata.uid ?? '', pb.metadata.uid ?? '');
  return false;
}

/** getPodsRankedByRelatedPodsOnSameNode: rank = active related pods on the pod's node. */
export function rankPods(pods: Pod[], relatedPods: Pod[]): RankedPod[] {
  const onNode = new Map<string, number>();
  for (const p of relatedPods) {
    if (!isPodActive(p)) continue;
    const n = p.spec?.nodeName ?? '';
    onNode.set(n, (onNode.get(n) ?? 0) + 1);
  }
  return pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
}

/** getPodsToDelete: the first `diff` pods in deletion order (all of them without sorting when diff covers all). */
export function getPodsToDelete(filteredPods: Pod[], relatedPods: Pod[], diff: number, now: number = Date.now()): Pod[] {
  if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
  const ranked = rankPods(filteredPods, relatedPods);
  // A stable sort driven by a strict "less" gives the same order Go's sort.Sort does for these keys.
  ranked.sort((a, b) => (lessForDeletion(a, b, now) ? -1 : lessForDeletion(b, a, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
