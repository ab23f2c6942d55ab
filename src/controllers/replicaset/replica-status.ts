// ReplicaSet status from its active pods (upstream's calculateStatus): replicas counts every active
// pod the set owns, fullyLabeledReplicas those carrying all template labels, readyReplicas the
// Ready ones, availableReplicas those ready for minReadySeconds. A create or delete failure shows
// as the ReplicaFailure condition until a sync succeeds.
import type { ReplicaSet, ReplicaSetStatus } from '../../api/apps.js';
import type { Pod } from '../../api/core.js';
import type { Condition } from '../../api/meta.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';

function matchesTemplateLabels(template: Record<string, string> | undefined, pod: Pod): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(template ?? {}).every(([k, v]) => labels[k] === v);
}

export function calculateReplicaSetStatus(rs: ReplicaSet, filteredPods: Pod[], manageReplicasErr: Error | undefined, now: number): ReplicaSetStatus {
  const status: ReplicaSetStatus = structuredClone(rs.status ?? { replicas: 0 });
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  const minReady = rs.spec.minReadySeconds ?? 0;
  for (const pod of filteredPods) {
    if (matchesTemplateLabels(rs.spec.template?.metadata?.labels, pod)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  const failure = status.conditions?.find((c) => c.type === 'ReplicaFailure');
  if (manageReplicasErr && !failure) {
    const diff = filteredPods.length - (rs.spec.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    const cond: Condition = {
      type: 'ReplicaFailure',
      status: 'True',
      lastTransitionTime: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
      reason,
      message: manageReplicasErr.message,
    };
    status.conditions = [...(status.conditions ?? []), cond];
  } else if (!manageReplicasErr && failure) {
    status.conditions = status.conditions!.filter((c) => c.type !== 'ReplicaFailure');
    if (status.conditions.length === 0) delete status.conditions;
  }
  status.replicas = filteredPods.length;
  status.fullyLabeledReplicas = fullyLabeled;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  return status;
}

/** True when writing `next` would change nothing (upstream skips the status update then). */
export function replicaSetStatusUnchanged(rs: ReplicaSet, next: ReplicaSetStatus): boolean {
  const cur = rs.status ?? { replicas: 0 };
  return (
    (cur.replicas ?? 0) === next.replicas &&
    (cur.fullyLabeledReplicas ?? 0) === (next.fullyLabeledReplicas ?? 0) &&
    (cur.readyReplicas ?? 0) === (next.readyReplicas ?? 0) &&
    (cur.availableReplicas ?? 0) === (next.availableReplicas ?? 0) &&
    (cur.observedGeneration ?? 0) === (rs.metadata.generation ?? 0) &&
    JSON.stringify(cur.conditions ?? []) === JSON.stringify(next.conditions ?? [])
  );
}
