// The Job a CronJob starts for one scheduled time (upstream's getJobFromTemplate2): named
// `<cronjob>-<scheduled time in minutes since the epoch>`, so each time yields one name and a
// second attempt at the same time collides instead of running twice; annotated with the
// scheduled time in the CronJob's time zone.
import { JobLabels, type CronJob, type Job } from '../../api/batch.js';
import { wallClock } from '../../machinery/cron/next.js';
import { newControllerRef } from '../common/controller-ref.js';

export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledMs / 60_000)}`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** RFC 3339 of an instant in a time zone: `2026-12-06T04:00:00+01:00` (`Z` in UTC), as Go's Format(time.RFC3339). */
export function rfc3339In(ms: number, timeZone: string): string {
  const w = wallClock(ms, timeZone);
  const whole = Math.floor(ms / 60_000) * 60_000;
  const seconds = Math.floor((ms - whole) / 1000);
  const asUTC = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute);
  const offsetMin = Math.round((asUTC - whole) / 60_000);
  const local = `${w.year}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(seconds)}`;
  if (offsetMin === 0) return `${local}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${local}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function jobFromTemplate(cj: CronJob, scheduledMs: number, timeZone: string): Job {
  const tm = cj.spec.jobTemplate?.metadata ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: cj.metadata.namespace,
      labels: { ...tm.labels },
      annotations: { ...tm.annotations, [JobLabels.cronJobScheduledTimestamp]: rfc3339In(scheduledMs, timeZone) },
      ownerReferences: [newControllerRef(cj, 'batch/v1', 'CronJob')],
    },
    spec: structuredClone(cj.spec.jobTemplate.spec),
  };
}
