// The Job controller (upstream's pkg/controller/job, v1.32): runs pods to completion. Pods carry
// the batch.kubernetes.io/job-tracking finalizer; a finished pod is first recorded in
// status.uncountedTerminatedPods, then its finalizer is removed, then it moves into
// succeeded/failed, so no pod is counted twice or lost, whatever restarts in between. Failures
// back off (10 s doubling, six minutes at most), count against backoffLimit unless the pod failure
// policy says otherwise, and activeDeadlineSeconds bounds the whole run. The Job then gets
// FailureTarget or SuccessCriteriaMet (completions reached, or an Indexed Job's successPolicy met),
// its remaining pods are removed, and Failed or Complete follows.
import { isDeepStrictEqual } from 'node:util';
import { JobLabels, type Job } from '../../api/batch.js';
import type { Pod } from '../../api/core.js';
import type { KubeObject } from '../../api/meta.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { labelSelectorAsSelector } from '../../machinery/labels/index.js';
import { claimObjects, recheckDeletionTimestamp } from '../common/claim.js';
import { getControllerOf, newControllerRef } from '../common/controller-ref.js';
import { isNotFound } from '../common/errors.js';
import { ControllerExpectations } from '../common/expectations.js';
import { isPodReady, podKey } from '../common/pod-util.js';
import { createOwnedPods, deleteOwnedPods } from '../common/pod-control.js';
import { QueueWorker } from '../common/queue-worker.js';
import { noopRecorder, type EventType, type Recorder } from '../common/recorder.js';
import { indexBackoff, nextBackoffRecord, remainingBackoffMs, type BackoffRecord } from './backoff.js';
import { isConditionTrue, isJobFinished, JobReason, rfc3339, setCondition } from './conditions.js';
import { formatIndexes, getCompletionIndex, parseIndexes } from './indexes.js';
import { hasTrackingFinalizer, newJobPod, podFinishTime } from './job-pod.js';
import { failedIndexesReason, failureReason, indexFailureCounts, indexGivenUp, newestFirst, rankForDeletion, successReached, takeCensus, type IndexFailures, type PodCensus } from './job-state.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { matchSuccessPolicy, successPolicyReason } from './success-policy.js';

export interface JobControllerOptions {
  recorder?: Recorder;
  queue?: WorkQueue<string>;
  now?: () => number;
}

export class JobController extends QueueWorker {
  readonly expectations: ControllerExpectations;
  /** Pod uids whose finalizer removal was sent and not yet seen, per Job key (upstream's finalizerExpectations). */
  private readonly finalizersRemoving = new Map<string, Set<string>>();
  private readonly backoff = new Map<string, BackoffRecord>();
  private readonly jobInformer: Informer<Job>;
  private readonly podInformer: Informer<Pod>;
  private readonly recorder: Recorder;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: JobControllerOptions = {},
  ) {
    super('job', opts.queue);
    this.recorder = opts.recorder ?? noopRecorder;
    this.now = opts.now ?? Date.now;
    this.expectations = new ControllerExpectations(this.now);
    this.jobInformer = informers.informer<Job>(R.jobs);
    this.podInformer = informers.informer<Pod>(R.pods);
    this.jobInformer.addEventHandler({
      onAdd: (j) => this.enqueue(j),
      onUpdate: (_o, j) => this.enqueue(j),
      onDelete: (j) => {
        const key = metaNamespaceKey(j);
        this.expectations.deleteExpectations(key);
        this.backoff.delete(key);
        // Its pods still hold the finalizer: the sync of the missing Job releases them.
        this.enqueue(j);
      },
    });
    this.podInformer.addEventHandler({
      onAdd: (p) => this.podChanged(p, 'add'),
      onUpdate: (_o, p) => this.podChanged(p, 'update'),
      onDelete: (p) => this.podChanged(p, 'delete'),
    });
  }

  private enqueue(job: KubeObject): void {
    this.queue.add(metaNamespaceKey(job));
  }

  private podChanged(pod: Pod, how: 'add' | 'update' | 'delete'): void {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'Job') return;
    const key = `${pod.metadata.namespace}/${ref.name}`;
    if (how === 'add') this.expectations.creationObserved(key);
    if (how === 'delete' || pod.metadata.deletionTimestamp) this.expectations.deletionObserved(key, podKey(pod));
    if (how === 'delete' || !hasTrackingFinalizer(pod)) this.finalizersRemoving.get(key)?.delete(pod.metadata.uid ?? '');
    this.queue.add(key);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobInformer.lister.get(namespace, name);
    if (!cached) {
      this.expectations.deleteExpectations(key);
      await this.releaseOrphans(namespace, name);
      return;
    }
    const job = structuredClone(cached);
    const pods = await this.claimPods(job);
    if (isJobFinished(job) || job.metadata.deletionTimestamp) {
      // Nothing runs any more; pods left holding the finalizer (e.g. after a restart) are let go.
      await this.removeFinalizers(key, pods.filter(hasTrackingFinalizer));
      return;
    }
    const before = structuredClone(job.status ?? {});
    const status = (job.status ??= {});
    const now = this.now();
    const census = takeCensus(job, pods, this.finalizersRemoving.get(key));

    // 1. Record newly finished pods as uncounted before their finalizers go.
    const uncounted = { succeeded: new Set(status.uncountedTerminatedPods?.succeeded ?? []), failed: new Set(status.uncountedTerminatedPods?.failed ?? []) };
    let failJob: { reason: string; message: string } | undefined;
    const failedTimes: number[] = [];
    const completions = job.spec.completions ?? 0;
    const indexed = job.spec.completionMode === 'Indexed';
    const completed = parseIndexes(status.completedIndexes, completions);
    // backoffLimitPerIndex: indexes that failed too often (or by a FailIndex rule) are given up.
    const perIndex = indexed && job.spec.backoffLimitPerIndex != null;
    const failedIndexes = perIndex ? parseIndexes(status.failedIndexes, completions) : new Set<number>();
    let newSucceeded = 0;
    for (const p of census.newSucceeded) {
      // An Indexed pod counts only for a valid index not completed yet.
      const idx = indexed ? getCompletionIndex(p, completions) : undefined;
      if (indexed && (idx === undefined || completed.has(idx))) {
        uncounted.failed.add(p.metadata.uid ?? '');
        continue;
      }
      uncounted.succeeded.add(p.metadata.uid ?? '');
      newSucceeded++;
    }
    for (const p of census.newFailed) {
      const match = p.status?.phase === 'Failed' ? matchPodFailurePolicy(job, p) : undefined;
      if (match?.action === 'FailJob' && !failJob) failJob = { reason: JobReason.podFailurePolicy, message: match.message };
      // Ignored failures still leave through uncounted, but are not counted as failed.
      if (match?.action !== 'Ignore') failedTimes.push(podFinishTime(p) ?? now);
      uncounted.failed.add(p.metadata.uid ?? '');
    }
    if (census.newSucceeded.length || census.newFailed.length) {
      status.uncountedTerminatedPods = { succeeded: [...uncounted.succeeded], failed: [...uncounted.failed] };
      Object.assign(job, await this.writeStatus(job));
      // Only once recorded: a sync that lost a conflict sees the same pods again and must not count them twice.
      this.backoff.set(key, nextBackoffRecord(this.backoff.get(key), newSucceeded, failedTimes));
    }

    // 2. Remove the finalizers of every finished pod now recorded, then 3. count them.
    const byUid = new Map(pods.map((p) => [p.metadata.uid ?? '', p]));
    const release = [...uncounted.succeeded, ...uncounted.failed].map((u) => byUid.get(u)).filter((p): p is Pod => !!p && hasTrackingFinalizer(p));
    const released = await this.removeFinalizers(key, release);
    const st = job.status ?? {};
    const countable = (uid: string) => released.has(uid) || !byUid.has(uid) || !hasTrackingFinalizer(byUid.get(uid)!);
    let succeeded = st.succeeded ?? 0;
    let failed = st.failed ?? 0;
    const keep = { succeeded: [] as string[], failed: [] as string[] };
    for (const uid of uncounted.succeeded) {
      if (!countable(uid)) keep.succeeded.push(uid);
      else if (indexed) {
        const pod = byUid.get(uid);
        const idx = pod ? getCompletionIndex(pod, completions) : undefined;
        if (idx !== undefined) completed.add(idx);
      } else succeeded++;
    }
    for (const uid of uncounted.failed) {
      if (!countable(uid)) keep.failed.push(uid);
      else if (!this.isIgnoredFailure(job, byUid.get(uid))) {
        failed++;
        const pod = byUid.get(uid);
        if (perIndex && pod && indexGivenUp(job, pod)) failedIndexes.add(getCompletionIndex(pod, completions) ?? -1);
      }
    }
    failedIndexes.delete(-1);
    job.status = st;
    st.uncountedTerminatedPods = keep.succeeded.length || keep.failed.length ? keep : {};
    if (indexed) {
      st.completedIndexes = formatIndexes(completed);
      succeeded = completed.size;
    }
    if (perIndex) st.failedIndexes = formatIndexes(failedIndexes);
    st.succeeded = succeeded;
    st.failed = failed;
    st.active = census.active.length;
    st.ready = census.active.filter(isPodReady).length;
    st.terminating = census.terminating.length;

    // 4. Suspension, start time, and whether the Job has reached an end.
    // Events about conditions are sent once the status saying so is written (a lost write is retried, its events not doubled).
    const pending: Array<[EventType, string, string]> = [];
    const suspended = !!job.spec.suspend;
    if (suspended && !isConditionTrue(job, 'Suspended')) {
      setCondition(job, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
      pending.push(['Normal', 'Suspended', 'Job suspended']);
    } else if (!suspended && isConditionTrue(job, 'Suspended')) {
      setCondition(job, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
      pending.push(['Normal', 'Resumed', 'Job resumed']);
      // The deadline counts from the resumption.
      st.startTime = rfc3339(now);
    }
    if (!st.startTime && !suspended) st.startTime = rfc3339(now);

    if (!isConditionTrue(job, 'FailureTarget') && !isConditionTrue(job, 'SuccessCriteriaMet')) {
      const target = failJob ?? failedIndexesReason(job, completed, failedIndexes) ?? failureReason(job, failed, census.active, now);
      const policyMet = target ? undefined : matchSuccessPolicy(job, completed);
      if (target) setCondition(job, 'FailureTarget', 'True', target.reason, target.message, now);
      else if (policyMet) setCondition(job, 'SuccessCriteriaMet', 'True', successPolicyReason, policyMet, now);
      else if (successReached(job, succeeded, census.active.length)) {
        setCondition(job, 'SuccessCriteriaMet', 'True', JobReason.completionsReached, 'Reached expected number of succeeded pods', now);
      }
    }

    let manageErr: Error | undefined;
    const ending = isConditionTrue(job, 'FailureTarget') || isConditionTrue(job, 'SuccessCriteriaMet');
    if (ending || suspended) {
      if (census.active.length) manageErr = await this.deletePods(key, job, census.active).catch((e: Error) => e);
    } else if (this.expectations.satisfiedExpectations(key)) {
      const done = new Set([...completed, ...failedIndexes]);
      manageErr = await this.manage(key, job, census, succeeded, done, perIndex ? indexFailureCounts(pods, completions) : undefined).catch((e: Error) => e);
    }

    // 5. The terminal condition once nothing of the Job runs any more.
    const settled = census.active.length === 0 && census.terminating.length === 0 && keep.succeeded.length === 0 && keep.failed.length === 0;
    if (ending && settled) pending.push(this.finish(job, now));
    if (!ending && !suspended) this.requeueForDeadline(key, job, now);

    // Go's omitempty leaves zero counts out; ready and terminating are pointers and stay.
    for (const k of ['active', 'succeeded', 'failed'] as const) if (st[k] === 0) delete st[k];
    if (!isDeepStrictEqual(job.status, before)) await this.writeStatus(job);
    for (const [type, reason, message] of pending) this.recorder.event(job, type, reason, message);
    if (manageErr) throw manageErr;
  }

  /** A failure the pod failure policy says not to count (decided again when counting: the pod is still there). */
  private isIgnoredFailure(job: Job, pod: Pod | undefined): boolean {
    return pod?.status?.phase === 'Failed' && matchPodFailurePolicy(job, pod)?.action === 'Ignore';
  }

  private async claimPods(job: Job): Promise<Pod[]> {
    const selector = labelSelectorAsSelector(job.spec.selector ?? {});
    const ns = job.metadata.namespace;
    const all = this.podInformer.lister.list(ns);
    return claimObjects<Pod>(all, {
      client: this.client,
      resource: R.pods,
      owner: job,
      controllerRef: newControllerRef(job, 'batch/v1', 'Job'),
      matches: (p) => selector.matches(p.metadata.labels ?? {}),
      canAdopt: recheckDeletionTimestamp(() => this.client.get(R.jobs, ns, job.metadata.name ?? ''), job.metadata.uid),
    });
  }

  /** Adds the terminal condition; returns the event to send once it is written. */
  private finish(job: Job, now: number): [EventType, string, string] {
    const st = job.status!;
    const target = job.status?.conditions?.find((c) => (c.type === 'FailureTarget' || c.type === 'SuccessCriteriaMet') && c.status === 'True')!;
    st.active = 0;
    st.ready = 0;
    st.terminating = 0;
    if (target.type === 'FailureTarget') {
      setCondition(job, 'Failed', 'True', target.reason ?? '', target.message ?? '', now);
      return ['Warning', target.reason ?? 'Failed', target.message ?? ''];
    }
    setCondition(job, 'Complete', 'True', target.reason ?? '', target.message ?? '', now);
    st.completionTime = rfc3339(now);
    return ['Normal', 'Completed', 'Job completed'];
  }

  private requeueForDeadline(key: string, job: Job, now: number): void {
    const ads = job.spec.activeDeadlineSeconds;
    const start = job.status?.startTime ? Date.parse(job.status.startTime) : NaN;
    if (ads == null || Number.isNaN(start)) return;
    this.queue.addAfter(key, Math.max(0, start + ads * 1000 - now) + 10);
  }

  /** Creates or deletes pods towards parallelism (respecting back-off), per index for Indexed Jobs. */
  private async manage(
    key: string,
    job: Job,
    census: PodCensus,
    succeeded: number,
    completed: Set<number>,
    failureCounts?: Map<number, IndexFailures>,
  ): Promise<Error | undefined> {
    const parallelism = job.spec.parallelism ?? 1;
    const completions = job.spec.completions;
    const ref = newControllerRef(job, 'batch/v1', 'Job');
    // With podReplacementPolicy Failed a pod being deleted still holds its place.
    const occupying = census.active.length + (job.spec.podReplacementPolicy === 'Failed' ? census.terminating.length : 0);
    if (job.spec.completionMode === 'Indexed') {
      const total = completions ?? 0;
      const running = new Map<number, Pod[]>();
      const extra: Pod[] = [];
      for (const p of census.active) {
        const idx = getCompletionIndex(p, total);
        if (idx === undefined || completed.has(idx)) extra.push(p);
        else running.set(idx, [...(running.get(idx) ?? []), p]);
      }
      // Two pods for one index: keep the oldest.
      for (const ps of running.values()) if (ps.length > 1) extra.push(...newestFirst(ps).slice(0, -1));
      if (extra.length) return this.deletePods(key, job, extra);
      const pending: number[] = [];
      // With backoffLimitPerIndex each index backs off on its own failures; otherwise the Job does as a whole.
      let soonest = Infinity;
      for (let i = 0; i < total && pending.length < parallelism; i++) {
        if (completed.has(i) || running.has(i)) continue;
        const wait = failureCounts ? remainingBackoffMs(indexBackoff(failureCounts.get(i)), this.now()) : 0;
        if (wait > 0) soonest = Math.min(soonest, wait);
        else pending.push(i);
      }
      if (soonest < Infinity) this.queue.addAfter(key, soonest + 10);
      const want = Math.max(0, Math.min(parallelism - occupying, pending.length));
      if (want === 0) {
        if (running.size > parallelism) return this.deletePods(key, job, newestFirst(census.active).slice(0, running.size - parallelism));
        return undefined;
      }
      if (!failureCounts && this.waitBackoff(key)) return undefined;
      return this.createPods(key, job, pending.slice(0, want).map((i) => newJobPod(job, ref, i, failureCounts && (failureCounts.get(i)?.count ?? 0))));
    }
    let wantActive = completions == null ? (succeeded > 0 ? 0 : parallelism) : Math.max(0, Math.min(parallelism, completions - succeeded));
    if (wantActive < 0) wantActive = 0;
    if (census.active.length > wantActive) return this.deletePods(key, job, rankForDeletion(census.active).slice(0, census.active.length - wantActive));
    const diff = wantActive - occupying;
    if (diff <= 0 || this.waitBackoff(key)) return undefined;
    return this.createPods(key, job, Array.from({ length: diff }, () => newJobPod(job, ref)));
  }

  /** True (and a requeue scheduled) while the failure back-off has not run out. */
  private waitBackoff(key: string): boolean {
    const wait = remainingBackoffMs(this.backoff.get(key), this.now());
    if (wait <= 0) return false;
    this.queue.addAfter(key, wait + 10);
    return true;
  }

  private createPods(key: string, job: Job, pods: Pod[]): Promise<Error | undefined> {
    return createOwnedPods(this.client, this.recorder, this.expectations, key, job, pods.length, (i) => pods[i]!);
  }

  private deletePods(key: string, job: Job, pods: Pod[]): Promise<Error | undefined> {
    return deleteOwnedPods(this.client, this.recorder, this.expectations, key, job, pods);
  }

  /** Removes the tracking finalizer; returns the uids it is gone from (removed now, or the pod is gone). */
  private async removeFinalizers(key: string, pods: Pod[]): Promise<Set<string>> {
    const done = new Set<string>();
    if (pods.length === 0) return done;
    const removing = this.finalizersRemoving.get(key) ?? new Set<string>();
    this.finalizersRemoving.set(key, removing);
    const results = await Promise.allSettled(
      pods.map(async (p) => {
        const uid = p.metadata.uid ?? '';
        removing.add(uid);
        try {
          await this.client.patch(R.pods, p.metadata.namespace, p.metadata.name ?? '', 'strategic', {
            metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JobLabels.trackingFinalizer] },
          });
          done.add(uid);
        } catch (e) {
          removing.delete(uid);
          if (!isNotFound(e)) throw e;
          done.add(uid);
        }
      }),
    );
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return done;
  }

  /** Pods of a Job that is gone keep the finalizer only until here. */
  private async releaseOrphans(namespace: string | undefined, name: string): Promise<void> {
    const orphans = this.podInformer.lister.list(namespace).filter((p) => {
      const ref = getControllerOf(p);
      return ref?.kind === 'Job' && ref.name === name && hasTrackingFinalizer(p);
    });
    await this.removeFinalizers(`${namespace}/${name}`, orphans);
    this.finalizersRemoving.delete(`${namespace}/${name}`);
  }

  /**
   * Writes status pinned to the resourceVersion the sync read: a conflict means the sync worked
   * from a stale copy (its counts may be behind), so it fails and runs again on fresh data.
   */
  private async writeStatus(job: Job): Promise<Job> {
    return this.client.update<Job>(R.jobs, job.metadata.namespace, job, { subresource: 'status' });
  }
}
