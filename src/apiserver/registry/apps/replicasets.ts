// apps/v1 replicasets: status belongs to the ReplicaSet controller; generation counts spec changes.
import type { ReplicaSet } from '../../../api/apps.js';
import { setDefaultsReplicaSet } from '../../../api/defaults/apps.js';
import { validateReplicaSet, validateReplicaSetStatusUpdate, validateReplicaSetUpdate } from '../../../api/validation/replicaset.js';
import { fields, resourceInfo } from '../../resources.js';
import { replicaSetPrinter } from '../../tables/workloads.js';
import { entry } from '../entry.js';
import { bumpGeneration, keepStatus, startGeneration } from '../strategy.js';

export const replicasets = entry<ReplicaSet>({
  info: resourceInfo({
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    kind: 'ReplicaSet',
    shortNames: ['rs'],
    categories: ['all'],
    subresources: ['status', 'scale'],
    fieldSelectors: fields('status.replicas'),
  }),
  strategy: {
    defaults: setDefaultsReplicaSet,
    prepareForCreate(rs) {
      rs.status = {} as ReplicaSet['status'];
      startGeneration(rs);
    },
    prepareForUpdate(rs, old) {
      keepStatus(rs, old);
      bumpGeneration(rs, old);
    },
    validateCreate: validateReplicaSet,
    validateUpdate: validateReplicaSetUpdate,
    validateStatusUpdate: validateReplicaSetStatusUpdate,
  },
  printer: replicaSetPrinter,
});
