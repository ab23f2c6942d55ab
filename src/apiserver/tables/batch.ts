// Jobs and CronJobs as kubectl 1.32 prints them (printJob, printCronJob).
import type { CronJob, Job } from '../../api/batch.js';
import type { Condition } from '../../api/meta.js';
import { humanDuration, parseTime, since } from './duration.js';
import { formatLabelSelector } from './labels.js';
import { ageCol, col, nameCol, type Printer } from './types.js';
import { containerCells } from './workloads.js';

const containersCol = () => col('Containers', 'string', 'Names of each container in the template.', 1);
const imagesCol = () => col('Images', 'string', 'Images referenced by each container in the template.', 1);
const selectorCol = () => col('Selector', 'string', 'A label query over pods that should match the pod count.', 1);

const hasTrue = (conds: Condition[] | undefined, type: string) => (conds ?? []).some((c) => c.type === type && c.status === 'True');

/** The STATUS column: terminal conditions first, then deletion, suspension and the interim conditions. */
export function jobStatusCell(job: Job): string {
  const conds = job.status?.conditions;
  if (hasTrue(conds, 'Complete')) return 'Complete';
  if (hasTrue(conds, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (hasTrue(conds, 'Suspended')) return 'Suspended';
  if (hasTrue(conds, 'FailureTarget')) return 'FailureTarget';
  if (hasTrue(conds, 'SuccessCriteriaMet')) return 'SuccessCriteriaMet';
  return 'Running';
}

export const jobPrinter: Printer<Job> = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The desired number of successfully finished pods the job should be run with.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageCol(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  cells(job, now) {
    const st = job.status ?? {};
    const succeeded = st.succeeded ?? 0;
    let completions: string;
    if (job.spec?.completions != null) completions = `${succeeded}/${job.spec.completions}`;
    else {
      const parallelism = job.spec?.parallelism ?? 0;
      completions = parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
    }
    const start = parseTime(st.startTime);
    const end = parseTime(st.completionTime);
    const duration = !start ? '' : humanDuration((end ?? now).getTime() - start.getTime());
    const [names, images] = containerCells(job.spec?.template?.spec?.containers);
    return [job.metadata.name ?? '', jobStatusCell(job), completions, duration, since(job.metadata.creationTimestamp, now), names, images, formatLabelSelector(job.spec?.selector)];
  },
};

export const cronJobPrinter: Printer<CronJob> = {
  columns: [
    nameCol(),
    col('Schedule', 'string', 'The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.'),
    col('Timezone', 'string', 'The time zone name for the given schedule, see https://en.wikipedia.org/wiki/List_of_tz_database_time_zones.'),
    col('Suspend', 'boolean', 'This flag tells the controller to suspend subsequent executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageCol(),
    containersCol(),
    imagesCol(),
    selectorCol(),
  ],
  cells(cj, now) {
    const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
    const suspend = cj.spec?.suspend == null ? '<unset>' : cj.spec.suspend ? 'True' : 'False';
    const [names, images] = containerCells(cj.spec?.jobTemplate?.spec?.template?.spec?.containers);
    return [
      cj.metadata.name ?? '',
      cj.spec?.schedule ?? '',
      cj.spec?.timeZone ?? '<none>',
      suspend,
      (cj.status?.active ?? []).length,
      last,
      since(cj.metadata.creationTimestamp, now),
      names,
      images,
      formatLabelSelector(cj.spec?.jobTemplate?.spec?.selector),
    ];
  },
};
