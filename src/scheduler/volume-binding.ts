// The VolumeBinding plugin's part kubesvc needs (kube-scheduler's volumebinding): a pod's claims
// must exist and not be being deleted, and claims of Immediate classes must be bound (PreFilter);
// a node fits when every bound claim's volume admits it by node affinity, and, for claims of a
// WaitForFirstConsumer class still unbound, when a free volume there could take the claim or the
// class has a provisioner (Filter). Once a node is chosen the scheduler writes it on those claims
// (volume.kubernetes.io/selected-node) for the binder and the provisioner. Upstream also waits in
// PreBind until they are bound; here the pod is bound at once and its node waits for the claims.
import type { Node, Pod } from '../api/core.js';
import { AnnSelectedNode, claimClass, podClaimNames, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../api/storage.js';
import { findMatchingVolume, volumeFitsNode } from '../api/scheduling/volume-match.js';

export const reasonBindConflict = "node(s) didn't find available persistent volumes to bind";
export const reasonNodeConflict = 'node(s) had volume node affinity conflict';

export interface VolumeObjects {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

function isDelayed(pvc: PersistentVolumeClaim, objs: VolumeObjects): boolean {
  return objs.storageClass(claimClass(pvc))?.volumeBindingMode === 'WaitForFirstConsumer';
}

/** PreFilter: why no node can take the pod because of its claims, or undefined. */
export function volumePreFilter(pod: Pod, objs: VolumeObjects): string | undefined {
  const ns = pod.metadata.namespace ?? '';
  let unboundImmediate = false;
  for (const name of podClaimNames(pod)) {
    const pvc = objs.claim(ns, name);
    if (!pvc) return `persistentvolumeclaim "${name}" not found`;
    if (pvc.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
    if (!pvc.spec?.volumeName && !isDelayed(pvc, objs)) unboundImmediate = true;
  }
  return unboundImmediate ? 'pod has unbound immediate PersistentVolumeClaims' : undefined;
}

/** Filter: why this node cannot take the pod's volumes, or undefined. */
export function volumeFilter(pod: Pod, node: Node, objs: VolumeObjects): string | undefined {
  const ns = pod.metadata.namespace ?? '';
  for (const name of podClaimNames(pod)) {
    const pvc = objs.claim(ns, name);
    if (!pvc) continue;
    if (pvc.spec?.volumeName) {
      const pv = objs.volume(pvc.spec.volumeName);
      if (pv && !volumeFitsNode(pv, node)) return reasonNodeConflict;
      continue;
    }
    const selected = pvc.metadata.annotations?.[AnnSelectedNode];
    if (selected && selected !== node.metadata.name) return reasonBindConflict;
    if (findMatchingVolume(pvc, objs.volumes(), node, true)) continue;
    const sc = objs.storageClass(claimClass(pvc));
    if (!sc?.provisioner || sc.provisioner === 'kubernetes.io/no-provisioner') return reasonBindConflict;
  }
  return undefined;
}

/** The pod's unbound WaitForFirstConsumer claims that do not name a node yet. */
export function claimsAwaitingNode(pod: Pod, objs: VolumeObjects): PersistentVolumeClaim[] {
  const ns = pod.metadata.namespace ?? '';
  return podClaimNames(pod)
    .map((n) => objs.claim(ns, n))
    .filter((c): c is PersistentVolumeClaim => !!c && !c.spec?.volumeName && !c.metadata.annotations?.[AnnSelectedNode] && isDelayed(c, objs));
}
