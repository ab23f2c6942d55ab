// Which scheduled time a CronJob is due for (upstream's cronjob v2 utils: mostRecentScheduleTime,
// nextScheduleTime): the latest schedule time not after now, counting from the last schedule (or
// creation), never further back than startingDeadlineSeconds; and how many were missed on the way.
import type { CronJob } from '../../api/batch.js';
import type { CronSchedule } from '../../machinery/cron/parse.js';
import { nextAfter } from '../../machinery/cron/next.js';

export interface MostRecent {
  /** Where the search started (the last schedule time, creation, or now - startingDeadlineSeconds). */
  earliest: number;
  /** The latest schedule time in (earliest, now], if any. */
  mostRecent?: number;
  missed: number;
}

export function mostRecentScheduleTime(cj: CronJob, now: number, schedule: CronSchedule, timeZone: string, includeStartingDeadline: boolean): MostRecent {
  const last = cj.status?.lastScheduleTime ?? cj.metadata.creationTimestamp;
  let earliest = last ? Date.parse(last) : now;
  const sds = cj.spec.startingDeadlineSeconds;
  if (includeStartingDeadline && sds != null) {
    const deadline = now - sds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = nextAfter(schedule, earliest, timeZone);
  if (t1 === undefined || now < t1) return { earliest, missed: 0 };
  const t2 = nextAfter(schedule, t1, timeZone);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 1 };
  // Regular schedules skip ahead by whole periods; irregular ones are then walked to the last time.
  const period = t2 - t1;
  const missed = Math.floor((now - t1) / period) + 1;
  let most = t1 + (missed - 1) * period;
  // The arithmetic may land off-schedule for irregular schedules: step back to a real time and walk forward.
  most = nextAfter(schedule, most - 1, timeZone) ?? most;
  if (most > now) most = t1;
  for (let t = nextAfter(schedule, most, timeZone), i = 0; t !== undefined && t <= now && i < 1_000_000; t = nextAfter(schedule, t, timeZone), i++) most = t;
  return { earliest, mostRecent: most, missed };
}

/** When the schedule fires next after now (for the requeue), undefined when never. */
export function nextScheduleTimeAfter(schedule: CronSchedule, now: number, timeZone: string): number | undefined {
  return nextAfter(schedule, now, timeZone);
}
