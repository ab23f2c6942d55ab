// Job conditions as the 1.32 controller writes them: interim SuccessCriteriaMet / FailureTarget
// first, the terminal Complete / Failed (same reason and message) once no pod is left running.
import type { Job } from '../../api/batch.js';
import type { Condition } from '../../api/meta.js';

export const JobReason = {
  backoffLimitExceeded: 'BackoffLimitExceeded',
  deadlineExceeded: 'DeadlineExceeded',
  podFailurePolicy: 'PodFailurePolicy',
  completionsReached: 'CompletionsReached',
  maxFailedIndexesExceeded: 'MaxFailedIndexesExceeded',
  failedIndexes: 'FailedIndexes',
} as const;

export function findCondition(job: Job, type: string): Condition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

export function isConditionTrue(job: Job, type: string): boolean {
  return findCondition(job, type)?.status === 'True';
}

/** Finished: Complete or Failed is True (nothing more happens to the Job but TTL). */
export function isJobFinished(job: Job): boolean {
  return isConditionTrue(job, 'Complete') || isConditionTrue(job, 'Failed');
}

export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Sets (or flips) a condition; an unchanged status keeps its transition time. Returns whether anything changed. */
export function setCondition(job: Job, type: string, status: Condition['status'], reason: string, message: string, now: number): boolean {
  const st = (job.status ??= {});
  const conds = (st.conditions ??= []);
  const ts = rfc3339(now);
  const existing = conds.find((c) => c.type === type);
  if (existing) {
    if (existing.status === status && existing.reason === reason && existing.message === message) return false;
    if (existing.status !== status) existing.lastTransitionTime = ts;
    existing.status = status;
    existing.reason = reason;
    existing.message = message;
    existing.lastProbeTime = ts;
    return true;
  }
  conds.push({ type, status, lastProbeTime: ts, lastTransitionTime: ts, reason, message });
  return true;
}
