// batch/v1 cronjobs: status (active Jobs, last schedule and success times) belongs to the CronJob controller.
import type { CronJob } from '../../../api/batch.js';
import { setDefaultsCronJob } from '../../../api/defaults/batch.js';
import { validateCronJob, validateCronJobStatusUpdate, validateCronJobUpdate } from '../../../api/validation/cronjob.js';
import { resourceInfo } from '../../resources.js';
import { cronJobPrinter } from '../../tables/batch.js';
import { entry } from '../entry.js';
import { bumpGeneration, keepStatus, startGeneration } from '../strategy.js';

export const cronjobs = entry<CronJob>({
  info: resourceInfo({
    group: 'batch',
    version: 'v1',
    resource: 'cronjobs',
    kind: 'CronJob',
    shortNames: ['cj'],
    categories: ['all'],
    subresources: ['status'],
  }),
  strategy: {
    defaults: setDefaultsCronJob,
    prepareForCreate(cj) {
      cj.status = {};
      startGeneration(cj);
    },
    prepareForUpdate(cj, old) {
      keepStatus(cj, old);
      bumpGeneration(cj, old);
    },
    validateCreate: validateCronJob,
    validateUpdate: validateCronJobUpdate,
    validateStatusUpdate: validateCronJobStatusUpdate,
  },
  printer: cronJobPrinter,
});
