// The CronJob controller (upstream's cronjob controller v2): per CronJob, reconcile status.active
// with the Jobs it owns, then start the Job for the most recent schedule time if it is due
// (within startingDeadlineSeconds, not already started, as concurrencyPolicy allows), trim the
// finished Jobs beyond the history limits, and requeue itself for the next schedule time. The clock
// is injected, so tests move time instead of waiting for it.
import type { CronJob, CronJobStatus, Job } from '../../api/batch.js';
import type { ObjectReference } from '../../api/core.js';
import type { Client } from '../../client/client.js';
import type { Informer, InformerFactory, WorkQueue } from '../../client/informer-types.js';
import { metaNamespaceKey, splitKey } from '../../client/keys.js';
import { R } from '../../client/resources.js';
import { CronParseError, parseSchedule, type CronSchedule } from '../../machinery/cron/parse.js';
import { isKnownTimeZone } from '../../machinery/cron/next.js';
import { getControllerOf } from '../common/controller-ref.js';
import { isAlreadyExists, isNotFound } from '../common/errors.js';
import { QueueWorker } from '../common/queue-worker.js';
import { noopRecorder, type Recorder } from '../common/recorder.js';
import { isConditionTrue, rfc3339, isJobFinished } from '../job/conditions.js';
import { jobFromTemplate, jobNameFor } from './job-from-template.js';
import { mostRecentScheduleTime, nextScheduleTimeAfter } from './schedule-times.js';

export interface CronJobControllerOptions {
  recorder?: Recorder;
  queue?: WorkQueue<string>;
  now?: () => number;
}

/** Upstream warns once more than this many start times were missed in one go. */
const tooManyMissed = 100;
/** A little past the schedule time, so the requeued sync does not run a hair too early. */
const nextScheduleDelta = 100;

/** The time shown in MissSchedule events: Go's time.RFC1123Z in UTC. */
function rfc1123z(ms: number): string {
  const d = new Date(ms);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export class CronJobController extends QueueWorker {
  private readonly cronJobs: Informer<CronJob>;
  private readonly jobs: Informer<Job>;
  private readonly recorder: Recorder;
  private readonly now: () => number;

  constructor(
    private readonly client: Client,
    informers: InformerFactory,
    opts: CronJobControllerOptions = {},
  ) {
    super('cronjob', opts.queue);
    this.recorder = opts.recorder ?? noopRecorder;
    this.now = opts.now ?? Date.now;
    this.cronJobs = informers.informer<CronJob>(R.cronjobs);
    this.jobs = informers.informer<Job>(R.jobs);
    this.cronJobs.addEventHandler({
      onAdd: (cj) => this.queue.add(metaNamespaceKey(cj)),
      onUpdate: (_o, cj) => this.queue.add(metaNamespaceKey(cj)),
      onDelete: () => {},
    });
    const jobChanged = (j: Job) => {
      const ref = getControllerOf(j);
      if (ref?.kind === 'CronJob') this.queue.add(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobs.addEventHandler({ onAdd: jobChanged, onUpdate: (_o, j) => jobChanged(j), onDelete: jobChanged });
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.cronJobs.lister.get(namespace, name);
    if (!cached) return;
    const cj = structuredClone(cached);
    const owned = this.jobs.lister.list(namespace).filter((j) => getControllerOf(j)?.uid === cj.metadata.uid);
    const before = structuredClone(cj.status ?? {});
    const requeueAfter = await this.syncCronJob(cj, owned);
    if (!cj.metadata.deletionTimestamp) await this.cleanupFinishedJobs(cj, owned);
    if (JSON.stringify(cj.status ?? {}) !== JSON.stringify(before)) await this.writeStatus(cj);
    if (requeueAfter !== undefined) this.queue.addAfter(key, requeueAfter);
  }

  /** One pass over a CronJob; returns when to look again (ms), if ever. */
  private async syncCronJob(cj: CronJob, owned: Job[]): Promise<number | undefined> {
    const status = (cj.status ??= {});
    await this.reconcileActive(cj, status, owned);
    if (cj.metadata.deletionTimestamp) return undefined;

    const timeZone = cj.spec.timeZone ?? 'UTC';
    if (cj.spec.timeZone != null && !isKnownTimeZone(timeZone)) {
      this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(cj.spec.timeZone)}: unknown time zone ${cj.spec.timeZone}`);
      return undefined;
    }
    if (cj.spec.suspend) return undefined;
    let schedule: CronSchedule;
    try {
      schedule = parseSchedule(cj.spec.schedule);
    } catch (e) {
      if (!(e instanceof CronParseError)) throw e;
      this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${e.message}`);
      return undefined;
    }
    const now = this.now();
    const untilNext = () => {
      const next = nextScheduleTimeAfter(schedule, now, timeZone);
      return next === undefined ? undefined : next - now + nextScheduleDelta;
    };
    const recent = mostRecentScheduleTime(cj, now, schedule, timeZone, true);
    if (recent.missed > tooManyMissed) {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${recent.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const scheduled = recent.mostRecent;
    if (scheduled === undefined) return untilNext();

    const sds = cj.spec.startingDeadlineSeconds;
    if (sds != null && scheduled + sds * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return untilNext();
    }
    const jobName = jobNameFor(cj, scheduled);
    const lastScheduled = status.lastScheduleTime ? Date.parse(status.lastScheduleTime) : NaN;
    if ((status.active ?? []).some((r) => r.name === jobName) || lastScheduled === Math.floor(scheduled / 1000) * 1000) return untilNext();

    const active = status.active ?? [];
    if (cj.spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return untilNext();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of [...active]) {
        await this.deleteJob(cj, ref.name ?? '');
        status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
      }
    }

    let created: Job;
    try {
      created = await this.client.create<Job>(R.jobs, cj.metadata.namespace, jobFromTemplate(cj, scheduled, timeZone));
    } catch (e) {
      // Someone (an earlier sync whose status write was lost) made it already: that sync counted it.
      if (isAlreadyExists(e)) return untilNext();
      this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${(e as Error).message}`);
      throw e;
    }
    this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    status.active = [...(status.active ?? []), jobReference(created)];
    status.lastScheduleTime = rfc3339(scheduled);
    return untilNext();
  }

  /** status.active against the Jobs that exist: finished ones leave it (and may set lastSuccessfulTime), vanished ones too. */
  private async reconcileActive(cj: CronJob, status: CronJobStatus, owned: Job[]): Promise<void> {
    const byUid = new Map(owned.map((j) => [j.metadata.uid ?? '', j]));
    for (const j of owned) {
      const inActive = (status.active ?? []).some((r) => r.uid === j.metadata.uid);
      const finished = isJobFinished(j);
      if (!inActive && !finished && !j.metadata.deletionTimestamp) {
        // Adopted (e.g. made by an earlier sync whose status write was lost): it is running for us.
        status.active = [...(status.active ?? []), jobReference(j)];
      } else if (inActive && finished) {
        this.recorder.event(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${cond(j)}`);
        status.active = (status.active ?? []).filter((r) => r.uid !== j.metadata.uid);
      }
      if (cond(j) === 'Complete' && j.status?.completionTime) {
        const done = Date.parse(j.status.completionTime);
        const last = status.lastSuccessfulTime ? Date.parse(status.lastSuccessfulTime) : 0;
        if (done > last) status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    for (const ref of [...(status.active ?? [])]) {
      if (byUid.has(ref.uid ?? '')) continue;
      // Not in the cache: ask the API before declaring it gone.
      try {
        const j = await this.client.get<Job>(R.jobs, cj.metadata.namespace, ref.name ?? '');
        if (j.metadata.uid === ref.uid) continue;
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
      this.recorder.event(cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
      status.active = (status.active ?? []).filter((r) => r.uid !== ref.uid);
    }
  }

  /** Finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit go, oldest first. */
  private async cleanupFinishedJobs(cj: CronJob, owned: Job[]): Promise<void> {
    const trim = async (jobs: Job[], limit: number | undefined) => {
      if (limit == null || jobs.length <= limit) return;
      const oldestFirst = [...jobs].sort((a, b) => startOf(a) - startOf(b));
      for (const j of oldestFirst.slice(0, jobs.length - limit)) await this.deleteJob(cj, j.metadata.name ?? '');
    };
    const finished = owned.filter((j) => isJobFinished(j) && !j.metadata.deletionTimestamp);
    await trim(finished.filter((j) => isConditionTrue(j, 'Complete')), cj.spec.successfulJobsHistoryLimit);
    await trim(finished.filter((j) => isConditionTrue(j, 'Failed')), cj.spec.failedJobsHistoryLimit);
  }

  private async deleteJob(cj: CronJob, name: string): Promise<void> {
    try {
      await this.client.delete(R.jobs, cj.metadata.namespace, name, { propagationPolicy: 'Background' });
    } catch (e) {
      if (isNotFound(e)) return;
      this.recorder.event(cj, 'Warning', 'FailedDelete', `Deleted job: ${(e as Error).message}`);
      throw e;
    }
    this.recorder.event(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${name}`);
  }

  /** Pinned to the resourceVersion read: a stale copy must not overwrite what a newer sync wrote. */
  private async writeStatus(cj: CronJob): Promise<void> {
    try {
      await this.client.update<CronJob>(R.cronjobs, cj.metadata.namespace, cj, { subresource: 'status' });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }
}

function cond(j: Job): 'Complete' | 'Failed' | undefined {
  return isConditionTrue(j, 'Complete') ? 'Complete' : isConditionTrue(j, 'Failed') ? 'Failed' : undefined;
}

function startOf(j: Job): number {
  return Date.parse(j.status?.startTime ?? j.metadata.creationTimestamp ?? '') || 0;
}

function jobReference(j: Job): ObjectReference {
  return {
    kind: 'Job',
    namespace: j.metadata.namespace,
    name: j.metadata.name,
    uid: j.metadata.uid,
    apiVersion: 'batch/v1',
    resourceVersion: j.metadata.resourceVersion,
  };
}
