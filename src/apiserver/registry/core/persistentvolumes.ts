// core/v1 persistentvolumes (upstream's pkg/registry/core/persistentvolume): cluster-scoped, status
// belongs to the binder; created Pending with the pv-protection finalizer.
import { setDefaultsPersistentVolume } from '../../../api/defaults/storage.js';
import type { PersistentVolume } from '../../../api/storage.js';
import { validatePersistentVolume, validatePersistentVolumeStatusUpdate, validatePersistentVolumeUpdate } from '../../../api/validation/persistentvolume.js';
import { resourceInfo } from '../../resources.js';
import { nowTimestamp } from '../../store/context.js';
import { persistentVolumePrinter } from '../../tables/storage.js';
import { entry } from '../entry.js';
import { keepStatus } from '../strategy.js';
import { admitVolume } from '../storage/admission.js';

export const persistentvolumes = entry<PersistentVolume>({
  info: resourceInfo({
    group: '',
    version: 'v1',
    resource: 'persistentvolumes',
    kind: 'PersistentVolume',
    namespaced: false,
    shortNames: ['pv'],
    subresources: ['status'],
    returnDeletedObject: true,
  }),
  strategy: {
    defaults: setDefaultsPersistentVolume,
    prepareForCreate(pv) {
      pv.status = { phase: 'Pending', lastPhaseTransitionTime: nowTimestamp() };
    },
    prepareForUpdate: keepStatus,
    validateCreate: validatePersistentVolume,
    validateUpdate: validatePersistentVolumeUpdate,
    validateStatusUpdate: validatePersistentVolumeStatusUpdate,
  },
  hooks: () => ({ admit: admitVolume }),
  printer: persistentVolumePrinter,
});
