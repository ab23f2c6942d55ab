// PersistentVolume and PersistentVolumeClaim (core/v1) and StorageClass (storage.k8s.io/v1): the
// fields kubesvc reads; everything else a client sends is kept as it came.
import type { LabelSelector, KubeObject, ObjectMeta } from './meta.js';
import type { ObjectReference } from './core.js';
import type { NodeSelectorTerm } from './scheduling/nodeaffinity.js';

export type PersistentVolumeAccessMode = 'ReadWriteOnce' | 'ReadOnlyMany' | 'ReadWriteMany' | 'ReadWriteOncePod';
export type ReclaimPolicy = 'Retain' | 'Delete' | 'Recycle';

export interface VolumeNodeAffinity {
  required?: { nodeSelectorTerms?: NodeSelectorTerm[] };
}

export interface PersistentVolumeSpec {
  capacity?: Record<string, string>;
  accessModes?: string[];
  claimRef?: ObjectReference;
  persistentVolumeReclaimPolicy?: string;
  storageClassName?: string;
  mountOptions?: string[];
  volumeMode?: string;
  nodeAffinity?: VolumeNodeAffinity;
  volumeAttributesClassName?: string;
  hostPath?: { path?: string; type?: string };
  local?: { path?: string; fsType?: string };
  [source: string]: unknown;
}

export interface PersistentVolume extends KubeObject {
  spec?: PersistentVolumeSpec;
  status?: { phase?: string; message?: string; reason?: string; lastPhaseTransitionTime?: string };
}

export interface PersistentVolumeClaimSpec {
  accessModes?: string[];
  selector?: LabelSelector;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  volumeName?: string;
  storageClassName?: string | null;
  volumeMode?: string;
  dataSource?: unknown;
  dataSourceRef?: unknown;
  volumeAttributesClassName?: string;
}

export interface PersistentVolumeClaim extends KubeObject {
  spec?: PersistentVolumeClaimSpec;
  status?: {
    phase?: string;
    accessModes?: string[];
    capacity?: Record<string, string>;
    conditions?: unknown[];
    [other: string]: unknown;
  };
}

export interface StorageClass extends KubeObject {
  metadata: ObjectMeta;
  provisioner?: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: string;
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: string;
  allowedTopologies?: { matchLabelExpressions?: { key: string; values: string[] }[] }[];
}

/** The annotation that makes a StorageClass the default for claims that name none. */
export const IsDefaultStorageClassAnnotation = 'storageclass.kubernetes.io/is-default-class';
/** The old beta spelling, still honoured upstream. */
export const BetaIsDefaultStorageClassAnnotation = 'storageclass.beta.kubernetes.io/is-default-class';

export function isDefaultStorageClass(sc: StorageClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[IsDefaultStorageClassAnnotation] === 'true' || a[BetaIsDefaultStorageClassAnnotation] === 'true';
}

/** The class a claim asks for: spec.storageClassName, else the beta annotation, else "". */
export function claimClass(pvc: PersistentVolumeClaim): string {
  const ann = pvc.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (ann !== undefined) return ann;
  return pvc.spec?.storageClassName ?? '';
}

/** The class of a volume, read the same way. */
export function volumeClass(pv: PersistentVolume): string {
  const ann = pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (ann !== undefined) return ann;
  return pv.spec?.storageClassName ?? '';
}

/** The claims a pod's volumes name (scheduler, protection controller). */
export function podClaimNames(pod: { spec?: { volumes?: unknown[] } }): string[] {
  const out: string[] = [];
  for (const v of (pod.spec?.volumes ?? []) as { persistentVolumeClaim?: { claimName?: string } }[]) {
    if (v?.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
  }
  return out;
}

/** The finalizers the StorageObjectInUseProtection admission adds. */
export const PVCProtectionFinalizer = 'kubernetes.io/pvc-protection';
export const PVProtectionFinalizer = 'kubernetes.io/pv-protection';

/** Annotations of the binder and provisioning protocol (pkg/controller/volume/persistentvolume/util). */
export const AnnBindCompleted = 'pv.kubernetes.io/bind-completed';
export const AnnBoundByController = 'pv.kubernetes.io/bound-by-controller';
export const AnnDynamicallyProvisioned = 'pv.kubernetes.io/provisioned-by';
export const AnnStorageProvisioner = 'volume.kubernetes.io/storage-provisioner';
export const AnnBetaStorageProvisioner = 'volume.beta.kubernetes.io/storage-provisioner';
export const AnnSelectedNode = 'volume.kubernetes.io/selected-node';

/** kubectl's short form of access modes (RWO,ROX,RWX,RWOP), in upstream's order. */
export function accessModesShort(modes: string[] | undefined): string {
  const short: Record<string, string> = { ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' };
  const out: string[] = [];
  for (const m of ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']) if (modes?.includes(m)) out.push(short[m]!);
  return out.join(',');
}
