// apps/v1 daemonsets: status belongs to the DaemonSet controller; generation counts spec changes.
import type { DaemonSet } from '../../../api/apps.js';
import { setDefaultsDaemonSet } from '../../../api/defaults/apps.js';
import { validateDaemonSet, validateDaemonSetStatusUpdate, validateDaemonSetUpdate } from '../../../api/validation/daemonset.js';
import { resourceInfo } from '../../resources.js';
import { daemonSetPrinter } from '../../tables/workloads.js';
import { entry } from '../entry.js';
import { bumpGeneration, keepStatus, startGeneration } from '../strategy.js';

export const daemonsets = entry<DaemonSet>({
  info: resourceInfo({
    group: 'apps',
    version: 'v1',
    resource: 'daemonsets',
    kind: 'DaemonSet',
    shortNames: ['ds'],
    categories: ['all'],
    subresources: ['status'],
  }),
  strategy: {
    defaults: setDefaultsDaemonSet,
    prepareForCreate(ds) {
      ds.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
      startGeneration(ds);
    },
    prepareForUpdate(ds, old) {
      keepStatus(ds, old);
      bumpGeneration(ds, old);
    },
    validateCreate: validateDaemonSet,
    validateUpdate: validateDaemonSetUpdate,
    validateStatusUpdate: validateDaemonSetStatusUpdate,
  },
  printer: daemonSetPrinter,
});
