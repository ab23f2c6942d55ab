// A StatefulSet pod's identity (upstream's stateful_set_utils.go): its name `<set>-<ordinal>`, the
// hostname and subdomain that give it a DNS name under the set's headless Service, the labels that
// name it and its index, and the claims of its volumeClaimTemplates.
import type { PersistentVolumeClaimTemplate, StatefulSet } from '../../api/apps.js';
import type { Pod, PodTemplateSpec } from '../../api/core.js';
import type { OwnerReference } from '../../api/meta.js';
import { isPodAvailable, isPodReady } from '../common/pod-util.js';
import { controllerRevisionHashLabel } from '../history/history.js';

export const statefulSetPodNameLabel = 'statefulset.kubernetes.io/pod-name';
export const podIndexLabel = 'apps.kubernetes.io/pod-index';

const ordinalRe = /^(.*)-(\d+)$/;

/** The parent's name and ordinal a pod name encodes; ordinal -1 when it encodes none. */
export function getParentNameAndOrdinal(pod: Pod): { parent: string; ordinal: number } {
  const m = ordinalRe.exec(pod.metadata.name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) ? { parent: m[1]!, ordinal: n } : { parent: '', ordinal: -1 };
}

export function getOrdinal(pod: Pod): number {
  return getParentNameAndOrdinal(pod).ordinal;
}

export function getPodName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

export function getStartOrdinal(set: StatefulSet): number {
  return set.spec.ordinals?.start ?? 0;
}

export function getEndOrdinal(set: StatefulSet): number {
  return getStartOrdinal(set) + (set.spec.replicas ?? 1) - 1;
}

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = getOrdinal(pod);
  return o >= getStartOrdinal(set) && o <= getEndOrdinal(set);
}

/** isMemberOf: named after the set (a pod of another set with a clashing selector is not ours). */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return getParentNameAndOrdinal(pod).parent === set.metadata.name;
}

export function getPersistentVolumeClaimName(set: StatefulSet, claim: PersistentVolumeClaimTemplate, ordinal: number): string {
  return `${claim.metadata?.name ?? ''}-${set.metadata.name}-${ordinal}`;
}

/** identityMatches: the pod's name, namespace, labels, hostname and subdomain are the ones its ordinal gives. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = getParentNameAndOrdinal(pod);
  const labels = pod.metadata.labels ?? {};
  return (
    ordinal >= 0 &&
    parent === set.metadata.name &&
    pod.metadata.name === getPodName(set, ordinal) &&
    pod.metadata.namespace === set.metadata.namespace &&
    labels[statefulSetPodNameLabel] === pod.metadata.name &&
    labels[podIndexLabel] === String(ordinal) &&
    pod.spec.hostname === pod.metadata.name &&
    (pod.spec.subdomain ?? '') === (set.spec.serviceName ?? '')
  );
}

/** updateIdentity: (re)writes what identityMatches checks. */
export function updateIdentity(set: StatefulSet, pod: Pod, ordinal: number): void {
  pod.metadata.name = getPodName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [statefulSetPodNameLabel]: pod.metadata.name, [podIndexLabel]: String(ordinal) };
  pod.spec.hostname = pod.metadata.name;
  if (set.spec.serviceName) pod.spec.subdomain = set.spec.serviceName;
  else delete pod.spec.subdomain;
}

/** updateStorage: each claim template becomes a persistentVolumeClaim volume of the same name. */
export function updateStorage(set: StatefulSet, pod: Pod, ordinal: number): void {
  const templates = set.spec.volumeClaimTemplates ?? [];
  if (templates.length === 0) return;
  const byName = new Map<string, { name: string } & Record<string, unknown>>();
  for (const t of templates) {
    const name = t.metadata?.name ?? '';
    byName.set(name, { name, persistentVolumeClaim: { claimName: getPersistentVolumeClaimName(set, t, ordinal) } });
  }
  const volumes = (pod.spec.volumes ?? []).filter((v) => !byName.has(v.name));
  pod.spec.volumes = [...volumes, ...byName.values()];
}

/** newStatefulSetPod: the template's pod, controlled by the set, with the ordinal's identity and storage. */
export function newStatefulSetPod(set: StatefulSet, template: PodTemplateSpec, controllerRef: OwnerReference, ordinal: number): Pod {
  const tm = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ownerReferences: [controllerRef] },
    spec: structuredClone(template.spec),
  };
  if (tm.labels) pod.metadata.labels = { ...tm.labels };
  if (tm.annotations) pod.metadata.annotations = { ...tm.annotations };
  if (tm.finalizers) pod.metadata.finalizers = [...tm.finalizers];
  updateIdentity(set, pod, ordinal);
  updateStorage(set, pod, ordinal);
  return pod;
}

export function getPodRevision(pod: Pod): string {
  return pod.metadata.labels?.[controllerRevisionHashLabel] ?? '';
}

export function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [controllerRevisionHashLabel]: revision };
}

export function isCreated(pod: Pod | undefined): boolean {
  return !!pod?.status?.phase;
}

export function isRunningAndReady(pod: Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

export function isRunningAndAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  return pod.status?.phase === 'Running' && isPodAvailable(pod, minReadySeconds, now);
}

export function isTerminating(pod: Pod): boolean {
  return !!pod.metadata.deletionTimestamp;
}

export function isFailed(pod: Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded';
}

/** isHealthy: running, ready and not on its way out. */
export function isHealthy(pod: Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}
