// SetDefaults_Job and SetDefaults_CronJob (batch/v1), plus their template PodSpecs.
import type { CronJob, Job, JobSpec } from '../batch.js';
import { setDefaultsPodTemplateSpec } from './pod.js';

const maxInt32 = 2147483647;

export function setDefaultsJob(job: Job): void {
  const spec = (job.spec ??= {} as JobSpec);
  // Neither set: one pod, run once. Only completions set: a "fixed completion count" job of one at a time.
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (spec.parallelism == null) spec.parallelism = 1;
  // With a per-index limit, the job-wide limit must never be what stops the job.
  if (spec.backoffLimit == null) spec.backoffLimit = spec.backoffLimitPerIndex != null ? maxInt32 : 6;
  if (!job.metadata.labels || Object.keys(job.metadata.labels).length === 0) {
    const tl = spec.template?.metadata?.labels;
    if (tl) job.metadata.labels = { ...tl };
  }
  if (spec.completionMode == null) spec.completionMode = 'NonIndexed';
  if (spec.suspend == null) spec.suspend = false;
  for (const rule of spec.podFailurePolicy?.rules ?? []) {
    for (const pattern of rule?.onPodConditions ?? []) if (pattern && !pattern.status) pattern.status = 'True';
  }
  if (spec.podReplacementPolicy == null) spec.podReplacementPolicy = spec.podFailurePolicy ? 'Failed' : 'TerminatingOrFailed';
  setDefaultsPodTemplateSpec(spec.template);
}

/** CronJobs default their own fields and the pod template; the JobSpec is defaulted when a Job is made from it. */
export function setDefaultsCronJob(cj: CronJob): void {
  const spec = (cj.spec ??= {} as CronJob['spec']);
  if (!spec.concurrencyPolicy) spec.concurrencyPolicy = 'Allow';
  if (spec.suspend == null) spec.suspend = false;
  if (spec.successfulJobsHistoryLimit == null) spec.successfulJobsHistoryLimit = 3;
  if (spec.failedJobsHistoryLimit == null) spec.failedJobsHistoryLimit = 1;
  setDefaultsPodTemplateSpec(spec.jobTemplate?.spec?.template);
}
