// A StatefulSet pod's PersistentVolumeClaims (upstream's createPersistentVolumeClaims): one claim
// per volumeClaimTemplate, named `<template>-<set>-<ordinal>`, made before the pod if missing.
// Until this API server serves PersistentVolumeClaims the create fails and the pod waits, with a
// FailedCreate event saying why, as upstream does when claims cannot be made.
import type { StatefulSet } from '../../api/apps.js';
import type { Pod } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import { R } from '../../client/resources.js';
import { isAlreadyExists } from '../common/errors.js';
import type { Recorder } from '../common/recorder.js';
import { getOrdinal, getPersistentVolumeClaimName } from './stateful-pod.js';

export async function createMissingClaims(client: Client, recorder: Recorder, set: StatefulSet, pod: Pod): Promise<void> {
  const ordinal = getOrdinal(pod);
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const name = getPersistentVolumeClaimName(set, t, ordinal);
    const claim = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { ...structuredClone(t.metadata ?? {}), name, namespace: set.metadata.namespace, labels: { ...(set.spec.selector.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) } },
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
