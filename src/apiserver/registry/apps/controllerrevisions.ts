// apps/v1 controllerrevisions (upstream's pkg/registry/apps/controllerrevision): immutable
// snapshots the StatefulSet and DaemonSet controllers keep as rollout history; no status.
import type { ControllerRevision } from '../../../api/apps.js';
import { validateControllerRevision, validateControllerRevisionUpdate } from '../../../api/validation/controllerrevision.js';
import { resourceInfo } from '../../resources.js';
import { controllerRevisionPrinter } from '../../tables/workloads.js';
import { entry } from '../entry.js';
import { metaOnlyStatusUpdate, noDefaults } from '../strategy.js';

export const controllerrevisions = entry<ControllerRevision>({
  info: resourceInfo({ group: 'apps', version: 'v1', resource: 'controllerrevisions', kind: 'ControllerRevision' }),
  strategy: {
    defaults: noDefaults,
    validateCreate: validateControllerRevision,
    validateUpdate: validateControllerRevisionUpdate,
    validateStatusUpdate: metaOnlyStatusUpdate,
  },
  printer: controllerRevisionPrinter,
});
