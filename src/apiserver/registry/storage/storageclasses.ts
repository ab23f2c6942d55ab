// storage.k8s.io/v1 storageclasses (upstream's pkg/registry/storage/storageclass): cluster-scoped,
// no status; provisioner, parameters, reclaimPolicy and volumeBindingMode are fixed at creation.
import { setDefaultsStorageClass } from '../../../api/defaults/storage.js';
import type { StorageClass } from '../../../api/storage.js';
import { validateStorageClass, validateStorageClassUpdate } from '../../../api/validation/storageclass.js';
import { resourceInfo } from '../../resources.js';
import { storageClassPrinter } from '../../tables/storage.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate } from '../strategy.js';

export const storageclasses = entry<StorageClass>({
  info: resourceInfo({
    group: 'storage.k8s.io',
    version: 'v1',
    resource: 'storageclasses',
    kind: 'StorageClass',
    namespaced: false,
    shortNames: ['sc'],
    returnDeletedObject: true,
  }),
  strategy: {
    defaults: setDefaultsStorageClass,
    validateCreate: validateStorageClass,
    validateUpdate: validateStorageClassUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: storageClassPrinter,
});
