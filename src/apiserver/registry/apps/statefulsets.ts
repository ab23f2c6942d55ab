// apps/v1 statefulsets: status belongs to the StatefulSet controller; generation counts spec changes.
import type { StatefulSet } from '../../../api/apps.js';
import { setDefaultsStatefulSet } from '../../../api/defaults/apps.js';
import { validateStatefulSet, validateStatefulSetStatusUpdate, validateStatefulSetUpdate } from '../../../api/validation/statefulset.js';
import { resourceInfo } from '../../resources.js';
import { statefulSetPrinter } from '../../tables/workloads.js';
import { entry } from '../entry.js';
import { bumpGeneration, keepStatus, startGeneration } from '../strategy.js';

export const statefulsets = entry<StatefulSet>({
  info: resourceInfo({
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    kind: 'StatefulSet',
    shortNames: ['sts'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  strategy: {
    defaults: setDefaultsStatefulSet,
    prepareForCreate(s) {
      s.status = { replicas: 0 };
      startGeneration(s);
    },
    prepareForUpdate(s, old) {
      keepStatus(s, old);
      bumpGeneration(s, old);
    },
    validateCreate: validateStatefulSet,
    validateUpdate: validateStatefulSetUpdate,
    validateStatusUpdate: validateStatefulSetStatusUpdate,
  },
  printer: statefulSetPrinter,
});
