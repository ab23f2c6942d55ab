// apps/v1 daemonsets: status belongs to the DaemonSet controller; generation counts spec changes.
import { templateGenerationAnnotation, type DaemonSet } from '../../../api/apps.js';
import { setDefaultsDaemonSet } from '../../../api/defaults/apps.js';
import { validateDaemonSet, validateDaemonSetStatusUpdate, validateDaemonSetUpdate } from '../../../api/validation/daemonset.js';
import { resourceInfo } from '../../resources.js';
import { daemonSetPrinter } from '../../tables/workloads.js';
import { deepEqual } from '../../store/deep-equal.js';
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
      setTemplateGeneration(ds, 1);
    },
    prepareForUpdate(ds, old) {
      keepStatus(ds, old);
      bumpGeneration(ds, old);
      // The internal spec.templateGeneration, kept in apps/v1 as an annotation: counts template changes.
      const oldGen = templateGeneration(old);
      setTemplateGeneration(ds, deepEqual(ds.spec?.template, old.spec?.template) ? oldGen : oldGen + 1);
    },
    validateCreate: validateDaemonSet,
    validateUpdate: validateDaemonSetUpdate,
    validateStatusUpdate: validateDaemonSetStatusUpdate,
  },
  printer: daemonSetPrinter,
});

function templateGeneration(ds: DaemonSet): number {
  const n = Number(ds.metadata.annotations?.[templateGenerationAnnotation]);
  return Number.isSafeInteger(n) && n > 0 ? n : 1;
}

function setTemplateGeneration(ds: DaemonSet, gen: number): void {
  ds.metadata.annotations = { ...(ds.metadata.annotations ?? {}), [templateGenerationAnnotation]: String(gen) };
}
