// Taints and tolerations (upstream's component-helpers ToleratesTaint and
// FindMatchingUntoleratedTaint): shared by the scheduler, which filters nodes by them, and the
// DaemonSet controller, which decides by them which nodes should run a daemon pod.
import type { Pod } from '../core.js';

/** core/v1's well-known taints the node lifecycle controller sets (TaintNodeNotReady, TaintNodeUnreachable). */
export const notReadyTaintKey = 'node.kubernetes.io/not-ready';
export const unreachableTaintKey = 'node.kubernetes.io/unreachable';

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** ToleratesTaint: an empty effect tolerates every effect; an empty key with Exists tolerates every taint. */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === 'Exists';
  if (t.key !== taint.key) return false;
  if (t.operator === 'Exists') return true;
  return (t.value ?? '') === (taint.value ?? '');
}

export function podTolerations(pod: Pod): Toleration[] {
  return (pod.spec?.tolerations ?? []) as Toleration[];
}

/** The first taint passing `filter` that no toleration tolerates. */
export function findMatchingUntoleratedTaint(taints: Taint[], tolerations: Toleration[], filter: (t: Taint) => boolean): Taint | undefined {
  return taints.find((taint) => filter(taint) && !tolerations.some((t) => toleratesTaint(t, taint)));
}

export const doNotScheduleOrExecute = (t: Taint): boolean => t.effect === 'NoSchedule' || t.effect === 'NoExecute';
