// core/v1 persistentvolumeclaims (upstream's pkg/registry/core/persistentvolumeclaim): status
// belongs to the binder; create runs DefaultStorageClass and StorageObjectInUseProtection,
// update PersistentVolumeClaimResize.
import { setDefaultsPersistentVolumeClaim } from '../../../api/defaults/storage.js';
import type { PersistentVolumeClaim } from '../../../api/storage.js';
import {
  validatePersistentVolumeClaim,
  validatePersistentVolumeClaimStatusUpdate,
  validatePersistentVolumeClaimUpdate,
} from '../../../api/validation/persistentvolume.js';
import { resourceInfo } from '../../resources.js';
import { noTxn } from '../../store/hooks.js';
import { persistentVolumeClaimPrinter } from '../../tables/storage.js';
import { entry } from '../entry.js';
import { keepStatus } from '../strategy.js';
import { admitClaim, admitClaimResize } from '../storage/admission.js';

export const persistentvolumeclaims = entry<PersistentVolumeClaim>({
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    shortNames: ['pvc'],
    subresources: ['status'],
    returnDeletedObject: true,
  }),
  strategy: {
    defaults: setDefaultsPersistentVolumeClaim,
    prepareForCreate(pvc) {
      pvc.status = { phase: 'Pending' };
    },
    prepareForUpdate: keepStatus,
    validateCreate: validatePersistentVolumeClaim,
    validateUpdate: validatePersistentVolumeClaimUpdate,
    validateStatusUpdate: validatePersistentVolumeClaimStatusUpdate,
  },
  hooks: (deps) => {
    const classes = () => deps.store('storage.k8s.io', 'storageclasses');
    const resize = admitClaimResize(classes);
    return {
      admit: admitClaim(classes),
      beginUpdate: async (obj, old) => {
        await resize(obj, old);
        return noTxn;
      },
    };
  },
  printer: persistentVolumeClaimPrinter,
});
