// A StatefulSet pod's PersistentVolumeClaims (upstream's createPersistentVolumeClaims): one claim
// per volumeClaimTemplate, named `<template>-<set>-<ordinal>`, made before the pod if missing; a
// claim that cannot be made leaves the pod waiting, with a FailedCreate event saying why. Claims
// outlive their pods; persistentVolumeClaimRetentionPolicy decides, through owner references the
// garbage collector follows, which go with the set (whenDeleted: Delete) or with a pod removed by
// a scale-down (whenScaled: Delete), as upstream's updateClaimOwnerRefForSetAndPod.
import type { StatefulSet } from '../../api/apps.js';
import type { Pod } from '../../api/core.js';
import type { OwnerReference } from '../../api/meta.js';
import type { PersistentVolumeClaim } from '../../api/storage.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { isAlreadyExists } from '../common/errors.js';
import type { Recorder } from '../common/recorder.js';
import { getOrdinal, getPersistentVolumeClaimName, podInOrdinalRange } from './stateful-pod.js';

function ref(o: { apiVersion?: string; kind?: string; metadata: { name?: string; uid?: string } }, apiVersion: string, kind: string): OwnerReference {
  return { apiVersion, kind, name: o.metadata.name ?? '', uid: o.metadata.uid ?? '' };
}

/** The owner references the retention policy gives a claim of this pod: the set's and/or the pod's. */
export function retentionOwners(set: StatefulSet, pod: Pod): OwnerReference[] {
  const policy = set.spec.persistentVolumeClaimRetentionPolicy ?? {};
  const out: OwnerReference[] = [];
  if (policy.whenDeleted === 'Delete') out.push(ref(set, 'apps/v1', 'StatefulSet'));
  if (policy.whenScaled === 'Delete' && !podInOrdinalRange(pod, set) && pod.metadata.uid) out.push(ref(pod, 'v1', 'Pod'));
  return out;
}

/** The claim's owner references with the set's and pod's replaced by what the policy wants; undefined when nothing changes. */
function withRetentionOwners(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): OwnerReference[] | undefined {
  const ours = new Set([set.metadata.uid, pod.metadata.uid].filter(Boolean));
  const current = claim.metadata.ownerReferences ?? [];
  const kept = current.filter((r) => !ours.has(r.uid));
  const next = [...kept, ...retentionOwners(set, pod)];
  const key = (rs: OwnerReference[]) => rs.map((r) => r.uid).sort().join(',');
  return key(next) === key(current) ? undefined : next;
}

/** Brings the owner references of the pod's existing claims in line with the retention policy. */
export async function updateClaimRetention(client: Client, set: StatefulSet, pod: Pod, claims: (name: string) => PersistentVolumeClaim | undefined): Promise<void> {
  const ordinal = getOrdinal(pod);
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const claim = claims(getPersistentVolumeClaimName(set, t, ordinal));
    if (!claim || claim.metadata.deletionTimestamp) continue;
    const owners = withRetentionOwners(claim, set, pod);
    if (!owners) continue;
    const next = structuredClone(claim);
    next.metadata.ownerReferences = owners;
    if (owners.length === 0) delete next.metadata.ownerReferences;
    await client.update(R.persistentvolumeclaims, set.metadata.namespace, next);
  }
}

export async function createMissingClaims(client: Client, recorder: Recorder, set: StatefulSet, pod: Pod): Promise<void> {
  const ordinal = getOrdinal(pod);
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const name = getPersistentVolumeClaimName(set, t, ordinal);
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: {
        ...structuredClone(t.metadata ?? {}),
        name,
        namespace: set.metadata.namespace,
        labels: { ...(set.spec.selector.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) },
        ...(retentionOwners(set, pod).length ? { ownerReferences: retentionOwners(set, pod) } : {}),
      },
      spec: structuredClone(t.spec ?? {}),
    };
    try {
      await client.create(R.persistentvolumeclaims, set.metadata.namespace, claim);
      recorder.event(set, 'Normal', 'SuccessfulCreate', `create Claim ${name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    } catch (e) {
      if (isAlreadyExists(e)) continue;
      recorder.event(set, 'Warning', 'FailedCreate', `create Claim ${name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(e as Error).message}`);
      throw e;
    }
  }
}
