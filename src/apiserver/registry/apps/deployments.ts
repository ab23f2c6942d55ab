// apps/v1 deployments: status belongs to the Deployment controller; generation counts spec changes.
import type { Deployment } from '../../../api/apps.js';
import { setDefaultsDeployment } from '../../../api/defaults/apps.js';
import { validateDeployment, validateDeploymentStatusUpdate, validateDeploymentUpdate } from '../../../api/validation/deployment.js';
import { resourceInfo } from '../../resources.js';
import { deploymentPrinter } from '../../tables/workloads.js';
import { entry } from '../entry.js';
import { bumpGeneration, keepStatus, startGeneration } from '../strategy.js';

export const deployments = entry<Deployment>({
  info: resourceInfo({
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    kind: 'Deployment',
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status', 'scale'],
  }),
  strategy: {
    defaults: setDefaultsDeployment,
    prepareForCreate(d) {
      d.status = {};
      startGeneration(d);
    },
    prepareForUpdate(d, old) {
      keepStatus(d, old);
      bumpGeneration(d, old);
    },
    validateCreate: validateDeployment,
    validateUpdate: validateDeploymentUpdate,
    validateStatusUpdate: validateDeploymentStatusUpdate,
  },
  printer: deploymentPrinter,
});
