// ControllerRef helpers, as apimachinery's metav1.GetControllerOf / NewControllerRef / IsControlledBy.
import type { KubeObject, OwnerReference } from '../../api/meta.js';

/** The ownerReference with controller=true, if any. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** What a controller writes on what it creates: controller=true, and blockOwnerDeletion so foreground deletion waits for it. */
export function newControllerRef(owner: KubeObject, apiVersion: string, kind: string): OwnerReference {
  return {
    apiVersion,
    kind,
    name: owner.metadata.name ?? '',
    uid: owner.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function isControlledBy(obj: KubeObject, owner: KubeObject): boolean {
  const ref = getControllerOf(obj);
  return ref !== undefined && ref.uid === owner.metadata.uid;
}
