// What one sync of a Job reads from its pods (pure functions of the Job and the pod cache): which
// pods are active, terminating, newly finished; whether the Job has failed or succeeded; which
// surplus pods go first.
import type { Job } from '../../api/batch.js';
import type { Pod } from '../../api/core.js';
import { isPodReady } from '../common/pod-util.js';
import { JobReason } from './conditions.js';
import { getCompletionIndex } from './indexes.js';
import { hasTrackingFinalizer, indexFailureCountAnnotation, podFinishTime } from './job-pod.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

/** What one sync found among the Job's pods. */
export interface PodCensus {
  active: Pod[];
  terminating: Pod[];
  /** Finished pods still holding the finalizer, not yet in uncountedTerminatedPods. */
  newSucceeded: Pod[];
  newFailed: Pod[];
}

export function takeCensus(job: Job, pods: Pod[], removing: Set<string> | undefined): PodCensus {
  const uncounted = new Set([...(job.status?.uncountedTerminatedPods?.succeeded ?? []), ...(job.status?.uncountedTerminatedPods?.failed ?? [])]);
  const onlyFailed = job.spec.podReplacementPolicy === 'Failed';
  const census: PodCensus = { active: [], terminating: [], newSucceeded: [], newFailed: [] };
  for (const p of pods) {
    const uid = p.metadata.uid ?? '';
    const fresh = hasTrackingFinalizer(p) && !uncounted.has(uid) && !removing?.has(uid);
    if (p.status?.phase === 'Succeeded') {
      if (fresh) census.newSucceeded.push(p);
    } else if (p.status?.phase === 'Failed') {
      if (fresh) census.newFailed.push(p);
    } else if (p.metadata.deletionTimestamp) {
      census.terminating.push(p);
      // TerminatingOrFailed: a pod being deleted already counts as failed and is replaced at once.
      if (fresh && !onlyFailed) census.newFailed.push(p);
    } else census.active.push(p);
  }
  return census;
}

export function failureReason(job: Job, failed: number, active: Pod[], now: number): { reason: string; message: string } | undefined {
  const limit = job.spec.backoffLimit ?? 6;
  const exceeded = { reason: JobReason.backoffLimitExceeded, message: 'Job has reached the specified backoff limit' };
  if (failed > limit) return exceeded;
  // restartPolicy OnFailure restarts containers in place: their restarts are the failures.
  if (job.spec.template?.spec?.restartPolicy === 'OnFailure' && limit >= 0) {
    let restarts = 0;
    for (const p of active) {
      for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += cs.restartCount ?? 0;
    }
    if (limit === 0 ? restarts > 0 : restarts >= limit) return exceeded;
  }
  const ads = job.spec.activeDeadlineSeconds;
  const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
  if (ads != null && !Number.isNaN(start) && now - start >= ads * 1000) {
    return { reason: JobReason.deadlineExceeded, message: 'Job was active longer than specified deadline' };
  }
  return undefined;
}

export function successReached(job: Job, succeeded: number, active: number): boolean {
  if (job.spec.completions == null) return succeeded > 0 && active === 0;
  return succeeded >= job.spec.completions;
}

function created(p: Pod): number {
  return Date.parse(p.metadata.creationTimestamp ?? '') || 0;
}

export function newestFirst(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => created(b) - created(a));
}

/** Which surplus pods go first: not yet ready ones, then the newest (they have done the least work). */
export function rankForDeletion(pods: Pod[]): Pod[] {
  return [...pods].sort((a, b) => Number(isPodReady(a)) - Number(isPodReady(b)) || created(b) - created(a));
}

export interface IndexFailures {
  count: number;
  /** When its latest failed pod stopped: the index's own back-off counts from there. */
  lastFailure?: number;
}

/** How often each index has failed: one more than the count the latest failed pod of the index carried. */
export function indexFailureCounts(pods: Pod[], completions: number): Map<number, IndexFailures> {
  const out = new Map<number, IndexFailures>();
  for (const p of pods) {
    if (p.status?.phase !== 'Failed' && !p.metadata.deletionTimestamp) continue;
    const idx = getCompletionIndex(p, completions);
    if (idx === undefined) continue;
    const count = Number(p.metadata.annotations?.[indexFailureCountAnnotation] ?? '0') + 1;
    if (count > (out.get(idx)?.count ?? 0)) out.set(idx, { count, lastFailure: podFinishTime(p) });
  }
  return out;
}

/** A counted failure of this pod ends its index: a FailIndex rule, or more failures than backoffLimitPerIndex. */
export function indexGivenUp(job: Job, pod: Pod): boolean {
  if (pod.status?.phase === 'Failed' && matchPodFailurePolicy(job, pod)?.action === 'FailIndex') return true;
  const failures = Number(pod.metadata.annotations?.[indexFailureCountAnnotation] ?? '0') + 1;
  return failures > (job.spec.backoffLimitPerIndex ?? Infinity);
}

/** With backoffLimitPerIndex: too many failed indexes, or every index decided and some failed. */
export function failedIndexesReason(job: Job, completed: Set<number>, failed: Set<number>): { reason: string; message: string } | undefined {
  if (job.spec.completionMode !== 'Indexed' || job.spec.backoffLimitPerIndex == null || failed.size === 0) return undefined;
  if (job.spec.maxFailedIndexes != null && failed.size > job.spec.maxFailedIndexes) {
    return { reason: JobReason.maxFailedIndexesExceeded, message: 'Job has exceeded the specified maximal number of failed indexes' };
  }
  if (completed.size + failed.size >= (job.spec.completions ?? 0)) return { reason: JobReason.failedIndexes, message: 'Job has failed indexes' };
  return undefined;
}
