// batch/v1 jobs: the API server generates the selector and pod labels from the Job's uid (unless
// manualSelector); status belongs to the Job controller; generation counts spec changes.
import type { Job } from '../../../api/batch.js';
import { setDefaultsJob } from '../../../api/defaults/batch.js';
import { generateJobSelector, validateJob, validateJobStatusUpdate, validateJobUpdate } from '../../../api/validation/job.js';
import { fields, resourceInfo } from '../../resources.js';
import { jobPrinter } from '../../tables/batch.js';
import { entry } from '../entry.js';
import { bumpGeneration, keepStatus, startGeneration } from '../strategy.js';

export const jobs = entry<Job>({
  info: resourceInfo({
    group: 'batch',
    version: 'v1',
    resource: 'jobs',
    kind: 'Job',
    categories: ['all'],
    subresources: ['status'],
    fieldSelectors: fields('status.successful'),
  }),
  strategy: {
    defaults: setDefaultsJob,
    prepareForCreate(job) {
      job.status = {};
      startGeneration(job);
      // The uid exists by now (the store assigns it first), so the selector can name it.
      generateJobSelector(job);
      // Upstream defaults a Job's empty labels from its template again when reading it back from
      // storage, so the generated labels show on the Job itself; do it once here.
      const tl = job.spec.template?.metadata?.labels;
      if (tl && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...tl };
    },
    prepareForUpdate(job, old) {
      keepStatus(job, old);
      bumpGeneration(job, old);
    },
    validateCreate: validateJob,
    validateUpdate: validateJobUpdate,
    validateStatusUpdate: validateJobStatusUpdate,
  },
  printer: jobPrinter,
});
