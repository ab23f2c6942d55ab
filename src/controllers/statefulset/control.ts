// One StatefulSet sync (upstream's defaultStatefulSetControl.UpdateStatefulSet): work out the
// current and update revisions, sort the set's pods into the replicas it wants (by ordinal) and
// the condemned beyond its range, then make one round of progress: replace failed pods, create
// missing ones, fix identities, delete condemned ones from the highest ordinal down, and roll
// pods to the update revision from the highest ordinal down to the partition. With OrderedReady
// each step waits for the pods before it to be Running and Ready (and available); with Parallel
// creates and deletes go out together. The returned status is what the set should report.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../api/apps.js';
import type { Pod, PodTemplateSpec } from '../../api/core.js';
import type { OwnerReference } from '../../api/meta.js';
import { templateOfRevision } from '../history/history.js';
import {
  getOrdinal, getPodRevision, getStartOrdinal, identityMatches, isCreated, isFailed, isHealthy, isRunningAndAvailable,
  isRunningAndReady, isSucceeded, isTerminating, newStatefulSetPod, setPodRevision, updateIdentity, updateStorage,
} from './stateful-pod.js';

/** What a sync does to pods; the controller implements it against the API (and records events). */
export interface StatefulPodControl {
  createPod(set: StatefulSet, pod: Pod): Promise<void>;
  updatePod(set: StatefulSet, pod: Pod): Promise<void>;
  deletePod(set: StatefulSet, pod: Pod): Promise<void>;
}

/**
 * At most this many pods are created in one sync (upstream's burstReplicas for ReplicaSets), and
 * only the ordinals up to the highest existing one plus this many are looked at: a set scaled to
 * millions must not make the controller allocate millions of slots. Later syncs, woken by the
 * pods' own events, carry on.
 */
export const burstReplicas = 500;

export interface SyncResult {
  status: StatefulSetStatus;
  /** Come back after this many ms (a pod becomes available once minReadySeconds pass). */
  requeueAfterMs?: number;
}

/** newVersionedStatefulSetPod: below the partition a new pod gets the current revision, at or above it the update revision. */
function newVersionedPod(
  set: StatefulSet,
  current: ControllerRevision,
  update: ControllerRevision,
  controllerRef: OwnerReference,
  ordinal: number,
): Pod {
  const rolling = set.spec.updateStrategy?.type !== 'OnDelete';
  const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const useCurrent = rolling && ordinal < getStartOrdinal(set) + partition && current.metadata.name !== update.metadata.name;
  const rev = useCurrent ? current : update;
  const template = templateOfRevision<PodTemplateSpec>(rev) ?? set.spec.template;
  const pod = newStatefulSetPod(set, template, controllerRef, ordinal);
  setPodRevision(pod, rev.metadata.name ?? '');
  return pod;
}

export async function updateStatefulSet(
  set: StatefulSet,
  current: ControllerRevision,
  update: ControllerRevision,
  collisionCount: number,
  pods: Pod[],
  control: StatefulPodControl,
  controllerRef: OwnerReference,
  now: number,
): Promise<SyncResult> {
  const minReady = set.spec.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata.generation,
    replicas: 0,
    readyReplicas: 0,
    availableReplicas: 0,
    currentReplicas: 0,
    updatedReplicas: 0,
    currentRevision: current.metadata.name,
    updateRevision: update.metadata.name,
    collisionCount,
  };
  const want = set.spec.replicas ?? 1;
  const start = getStartOrdinal(set);
  const condemned: Pod[] = [];
  let highest = -1;
  for (const pod of pods) {
    const ord = getOrdinal(pod);
    if (ord >= start && ord < start + want) highest = Math.max(highest, ord - start);
  }
  // Slots beyond `slots` are pods not created yet, and none of them would be created this sync.
  const slots = Math.min(want, highest + 1 + burstReplicas);
  const replicas: (Pod | undefined)[] = new Array(slots).fill(undefined);
  for (const pod of pods) {
    status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas!++;
      if (isRunningAndAvailable(pod, minReady, now)) status.availableReplicas!++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      if (getPodRevision(pod) === current.metadata.name) status.currentReplicas!++;
      if (getPodRevision(pod) === update.metadata.name) status.updatedReplicas!++;
    }
    const ord = getOrdinal(pod);
    if (ord >= start && ord < start + slots) replicas[ord - start] = pod;
    else if (ord >= 0) condemned.push(pod);
  }
  for (let i = 0; i < slots; i++) replicas[i] ??= newVersionedPod(set, current, update, controllerRef, start + i);
  condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));

  if (set.metadata.deletionTimestamp) return { status };
  const monotonic = set.spec.podManagementPolicy !== 'Parallel';
  let requeueAfterMs: number | undefined;
  const waitAvailable = (pod: Pod): boolean => {
    if (minReady > 0 && !isRunningAndAvailable(pod, minReady, now)) {
      requeueAfterMs = minReady * 1000;
      return true;
    }
    return false;
  };
  const pending: Promise<void>[] = [];
  const run = async (p: Promise<void>): Promise<void> => {
    if (monotonic) await p;
    else pending.push(p);
  };

  let creates = 0;
  for (let i = 0; i < slots; i++) {
    const pod = replicas[i]!;
    if (isFailed(pod) || isSucceeded(pod)) {
      // A finished pod never runs again under restartPolicy Always: delete it, recreate it next round.
      if (!isTerminating(pod)) {
        await run(control.deletePod(set, pod));
        if (getPodRevision(pod) === current.metadata.name) status.currentReplicas!--;
        if (getPodRevision(pod) === update.metadata.name) status.updatedReplicas!--;
      }
      if (monotonic) return finish();
      continue;
    }
    if (!isCreated(pod)) {
      if (creates++ >= burstReplicas) break;
      await run(control.createPod(set, pod));
      status.replicas++;
      if (getPodRevision(pod) === current.metadata.name) status.currentReplicas!++;
      if (getPodRevision(pod) === update.metadata.name) status.updatedReplicas!++;
      if (monotonic) return { status };
      continue;
    }
    if (isTerminating(pod)) {
      if (monotonic) return finish();
      continue;
    }
    if (monotonic && !isRunningAndReady(pod)) return finish();
    if (monotonic && waitAvailable(pod)) return finish();
    if (identityMatches(set, pod)) continue;
    const fixed = structuredClone(pod);
    updateIdentity(set, fixed, start + i);
    updateStorage(set, fixed, start + i);
    await run(control.updatePod(set, fixed));
  }

  for (const pod of condemned) {
    if (isTerminating(pod)) {
      if (monotonic) return finish();
      continue;
    }
    // OrderedReady deletes one at a time, the highest first, and only while the rest are healthy
    // (the first unhealthy pod itself may go: it is the one blocking).
    if (monotonic && !isRunningAndReady(pod) && pod !== firstUnhealthy()) return finish();
    if (monotonic && waitAvailable(pod) && pod !== firstUnhealthy()) return finish();
    await run(control.deletePod(set, pod));
    if (monotonic) return finish();
  }
  await Promise.all(pending);

  if (set.spec.updateStrategy?.type === 'OnDelete') return finish();
  const partition = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = want - 1; target >= partition; target--) {
    // Not created yet (beyond the slots looked at): it is the one to wait for.
    if (target >= slots) return finish();
    const pod = replicas[target]!;
    if (getPodRevision(pod) !== update.metadata.name && !isTerminating(pod)) {
      await control.deletePod(set, pod);
      status.currentReplicas!--;
      return finish();
    }
    // Wait for the pod just replaced to be healthy before taking down the next one.
    if (!isHealthy(pod)) return finish();
    if (waitAvailable(pod)) return finish();
  }
  return finish();

  function finish(): SyncResult {
    return { status, requeueAfterMs };
  }
  function firstUnhealthy(): Pod | undefined {
    for (const p of replicas) if (p && (!isHealthy(p))) return p;
    for (const p of condemned) if (!isHealthy(p)) return p;
    return undefined;
  }
}

/** completeRollingUpdate: once every pod runs the update revision and is ready, it becomes the current one. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  if (
    set.spec.updateStrategy?.type === 'RollingUpdate' &&
    status.updatedReplicas === status.replicas &&
    status.readyReplicas === status.replicas &&
    status.replicas === (set.spec.replicas ?? 1)
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}
