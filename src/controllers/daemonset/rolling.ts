// What one DaemonSet sync changes (upstream's manage, podsShouldBeOnNode and rollingUpdate), as a
// pure plan over the nodes and the daemon pods on each: nodes that need a pod, pods to delete.
//   - manage: a node that should run the daemon and has no pod gets one; failed pods and
//     duplicates go; pods on nodes that should no longer run it (or are gone) go.
//   - RollingUpdate with maxUnavailable: old pods are deleted, at most maxUnavailable nodes
//     without an available pod at a time (old pods already unavailable are replaced freely).
//   - RollingUpdate with maxSurge: a new pod starts beside the old one on up to maxSurge nodes;
//     the old one goes once the new one is available.
import type { DaemonSet } from '../../api/apps.js';
import type { Node, Pod } from '../../api/core.js';
import { getScaledValueFromIntOrPercent } from '../../machinery/intstr.js';
import { isPodAvailable } from '../common/pod-util.js';
import { controllerRevisionHashLabel } from '../history/history.js';
import { nodeShouldRunDaemonPod } from './daemon-pod.js';

export interface DaemonPlan {
  createOn: string[];
  deletePods: Pod[];
}

function creation(p: Pod): number {
  return Date.parse(p.metadata.creationTimestamp ?? '') || 0;
}

/** Oldest first, running before pending (upstream's podByCreationTimestampAndPhase). */
export function sortDaemonPods(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => {
    const ra = a.status?.phase === 'Running' ? 0 : 1;
    const rb = b.status?.phase === 'Running' ? 0 : 1;
    if (ra !== rb) return ra - rb;
    return creation(a) - creation(b) || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
  });
}

export function isPodUpdated(pod: Pod, hash: string): boolean {
  return pod.metadata.labels?.[controllerRevisionHashLabel] === hash;
}

/** findUpdatedPodsOnNode: the node's one new and one old pod; ok=false when it has two of either. */
export function findUpdatedPodsOnNode(pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isPodUpdated(p, hash)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

/** maxSurge and maxUnavailable scaled to the desired node count, rounding up; both 0 means one at a time. */
export function surgeAndUnavailable(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec.updateStrategy?.rollingUpdate ?? {};
  const maxSurge = getScaledValueFromIntOrPercent(ru.maxSurge ?? 0, desired, true);
  let maxUnavailable = getScaledValueFromIntOrPercent(ru.maxUnavailable ?? 1, desired, true);
  if (maxSurge === 0 && maxUnavailable === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export function planDaemonSet(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, now: number): DaemonPlan {
  const plan: DaemonPlan = { createOn: [], deletePods: [] };
  const minReady = ds.spec.minReadySeconds ?? 0;
  const rolling = ds.spec.updateStrategy?.type === 'RollingUpdate';
  const desired = nodes.filter((n) => nodeShouldRunDaemonPod(n, ds).shouldRun).length;
  const { maxSurge, maxUnavailable } = surgeAndUnavailable(ds, desired);
  const surging = rolling && maxSurge > 0;
  const known = new Set<string>();

  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    known.add(name);
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToPods.get(name) ?? [];
    if (shouldRun && pods.length === 0) {
      plan.createOn.push(name);
    } else if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const p of pods) {
        if (p.metadata.deletionTimestamp) continue;
        // A failed daemon pod never restarts: delete it, and the next sync creates a fresh one.
        if (p.status?.phase === 'Failed') plan.deletePods.push(p);
        else running.push(p);
      }
      if (surging) {
        // While surging a node may hold one old and one new pod; anything beyond that goes.
        const sorted = sortDaemonPods(running);
        const keepNew = sorted.find((p) => isPodUpdated(p, hash));
        const keepOld = sorted.find((p) => !isPodUpdated(p, hash));
        for (const p of sorted) if (p !== keepNew && p !== keepOld) plan.deletePods.push(p);
      } else if (running.length > 1) {
        plan.deletePods.push(...sortDaemonPods(running).slice(1));
      }
    } else {
      for (const p of pods) if (!p.metadata.deletionTimestamp) plan.deletePods.push(p);
    }
  }
  // Pods pinned to nodes that no longer exist.
  for (const [name, pods] of nodeToPods) if (!known.has(name)) for (const p of pods) if (!p.metadata.deletionTimestamp) plan.deletePods.push(p);
  if (!rolling) return plan;

  const deleting = new Set(plan.deletePods);
  const available = (p: Pod | undefined) => !!p && isPodAvailable(p, minReady, now);
  if (!surging) {
    let numUnavailable = 0;
    const replaceNow: Pod[] = [];
    const candidates: Pod[] = [];
    for (const [name, pods] of [...nodeToPods].sort(([a], [b]) => a.localeCompare(b))) {
      if (!known.has(name)) continue;
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(pods, hash);
      if (!ok) continue;
      if ((!oldPod && !newPod) || (oldPod && newPod)) numUnavailable++;
      else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (oldPod && !deleting.has(oldPod)) {
        if (!available(oldPod)) replaceNow.push(oldPod);
        else if (numUnavailable < maxUnavailable) candidates.push(oldPod);
      }
    }
    plan.deletePods.push(...replaceNow, ...candidates.slice(0, Math.max(0, maxUnavailable - numUnavailable)));
    return plan;
  }

  let numSurge = 0;
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  for (const [name, pods] of [...nodeToPods].sort(([a], [b]) => a.localeCompare(b))) {
    if (!known.has(name)) continue;
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(pods, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    if (!oldPod) continue;
    if (!newPod) {
      // An old pod that is not available anyway can be replaced at once; others wait for surge room.
      if (!available(oldPod)) allowedNew.push(name);
      else candidateNew.push(name);
    } else if (!available(newPod)) numSurge++;
    else if (!deleting.has(oldPod)) plan.deletePods.push(oldPod);
  }
  plan.createOn.push(...allowedNew, ...candidateNew.slice(0, Math.max(0, maxSurge - numSurge)));
  return plan;
}
