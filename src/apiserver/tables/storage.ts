// kubectl get columns of PersistentVolumes, PersistentVolumeClaims and StorageClasses, as
// upstream's printers (printPersistentVolume, printPersistentVolumeClaim, printStorageClass).
import { accessModesShort, isDefaultStorageClass, volumeClass, claimClass, type PersistentVolume, type PersistentVolumeClaim, type StorageClass } from '../../api/storage.js';
import { since } from './duration.js';
import { ageCol, col, nameCol, type Printer } from './types.js';

const unset = '<unset>';

export const persistentVolumePrinter: Printer<PersistentVolume> = {
  columns: [
    nameCol(),
    col('Capacity', 'string', 'capacity is the description of the persistent volume\'s resources and capacity.'),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'What happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'storageClassName is the name of StorageClass to which this persistent volume belongs.'),
    col('VolumeAttributesClass', 'string', 'Name of the VolumeAttributesClass to which this persistent volume belongs.'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure.'),
    ageCol(),
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
  ],
  cells(pv, now) {
    const spec = pv.spec ?? {};
    const ref = spec.claimRef;
    const claim = ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : '';
    const phase = pv.metadata.deletionTimestamp ? 'Terminating' : (pv.status?.phase ?? '');
    return [
      pv.metadata.name ?? '',
      String(spec.capacity?.['storage'] ?? ''),
      accessModesShort(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? '',
      phase,
      claim,
      volumeClass(pv),
      spec.volumeAttributesClassName || unset,
      pv.status?.reason ?? '',
      since(pv.metadata.creationTimestamp, now),
      spec.volumeMode ?? '<unset>',
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer<PersistentVolumeClaim> = {
  columns: [
    nameCol(),
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the desired access modes the volume should have.'),
    col('StorageClass', 'string', 'storageClassName is the name of the StorageClass required by the claim.'),
    col('VolumeAttributesClass', 'string', 'volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim.'),
    ageCol(),
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', 1),
  ],
  cells(pvc, now) {
    const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : (pvc.status?.phase ?? '');
    const bound = !!pvc.spec?.volumeName;
    return [
      pvc.metadata.name ?? '',
      phase,
      pvc.spec?.volumeName ?? '',
      bound ? String(pvc.status?.capacity?.['storage'] ?? '') : '',
      bound ? accessModesShort(pvc.status?.accessModes) : '',
      claimClass(pvc),
      pvc.spec?.volumeAttributesClassName || unset,
      since(pvc.metadata.creationTimestamp, now),
      pvc.spec?.volumeMode ?? '<unset>',
    ];
  },
};

export const storageClassPrinter: Printer<StorageClass> = {
  columns: [
    nameCol(),
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageCol(),
  ],
  cells(sc, now) {
    let name = sc.metadata.name ?? '';
    if (isDefaultStorageClass(sc)) name += ' (default)';
    return [
      name,
      sc.provisioner ?? '',
      sc.reclaimPolicy ?? 'Delete',
      sc.volumeBindingMode ?? 'Immediate',
      sc.allowVolumeExpansion ?? false,
      since(sc.metadata.creationTimestamp, now),
    ];
  },
};
