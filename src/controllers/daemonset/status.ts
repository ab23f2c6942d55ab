// DaemonSet status (upstream's updateDaemonSetStatus): per node that should run the daemon,
// whether it has a pod (current), whether the oldest one is ready and available and runs the
// newest revision (updated); pods on nodes that should not run it are misscheduled.
import type { DaemonSet, DaemonSetStatus } from '../../api/apps.js';
import type { Node, Pod } from '../../api/core.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';
import { nodeShouldRunDaemonPod } from './daemon-pod.js';
import { isPodUpdated, sortDaemonPods } from './rolling.js';

export function calculateDaemonSetStatus(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, now: number): DaemonSetStatus {
  const st: DaemonSetStatus = {
    desiredNumberScheduled: 0,
    currentNumberScheduled: 0,
    numberMisscheduled: 0,
    numberReady: 0,
    numberAvailable: 0,
    updatedNumberScheduled: 0,
  };
  for (const node of nodes) {
    const pods = nodeToPods.get(node.metadata.name ?? '') ?? [];
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    if (!shouldRun) {
      if (pods.length > 0) st.numberMisscheduled++;
      continue;
    }
    st.desiredNumberScheduled++;
    if (pods.length === 0) continue;
    st.currentNumberScheduled++;
    const pod = sortDaemonPods(pods)[0]!;
    if (isPodReady(pod)) {
      st.numberReady++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) st.numberAvailable!++;
    }
    if (isPodUpdated(pod, hash)) st.updatedNumberScheduled!++;
  }
  st.numberUnavailable = st.desiredNumberScheduled - st.numberAvailable!;
  st.observedGeneration = ds.metadata.generation;
  st.collisionCount = ds.status?.collisionCount;
  if (st.collisionCount === undefined) delete st.collisionCount;
  return st;
}

export function daemonSetStatusUnchanged(cur: DaemonSetStatus | undefined, next: DaemonSetStatus): boolean {
  const keys = [
    'desiredNumberScheduled', 'currentNumberScheduled', 'numberMisscheduled', 'numberReady', 'numberAvailable',
    'updatedNumberScheduled', 'numberUnavailable', 'observedGeneration', 'collisionCount',
  ] as const;
  return keys.every((k) => (cur?.[k] ?? 0) === (next[k] ?? 0));
}
