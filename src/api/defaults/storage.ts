// SetDefaults_PersistentVolume, SetDefaults_PersistentVolumeClaim (core/v1) and
// SetDefaults_StorageClass (storage/v1).
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../storage.js';

export function setDefaultsPersistentVolume(pv: PersistentVolume): void {
  const spec = (pv.spec ??= {});
  if (!spec.persistentVolumeReclaimPolicy) spec.persistentVolumeReclaimPolicy = 'Retain';
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const status = (pv.status ??= {});
  if (!status.phase) status.phase = 'Pending';
  if (spec.hostPath && spec.hostPath.type === undefined) spec.hostPath.type = '';
}

export function setDefaultsPersistentVolumeClaim(pvc: PersistentVolumeClaim): void {
  const spec = (pvc.spec ??= {});
  if (!spec.volumeMode) spec.volumeMode = 'Filesystem';
  const status = (pvc.status ??= {});
  if (!status.phase) status.phase = 'Pending';
}

export function setDefaultsStorageClass(sc: StorageClass): void {
  if (!sc.reclaimPolicy) sc.reclaimPolicy = 'Delete';
  if (!sc.volumeBindingMode) sc.volumeBindingMode = 'Immediate';
}
