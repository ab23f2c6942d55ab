// ValidateCronJobCreate / ValidateCronJobUpdate (pkg/apis/batch/validation): the schedule as
// robfig/cron's ParseStandard reads it, an IANA time zone, and the job template's rules.
import { fieldErr, Path, type FieldError } from '../../machinery/field.js';
import { CronParseError, parseSchedule } from '../../machinery/cron/parse.js';
import { isKnownTimeZone } from '../../machinery/cron/next.js';
import type { CronJob, CronJobSpec } from '../batch.js';
import { validateAnnotations, validateLabels } from './labels.js';
import { maxLenError } from './messages.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateNonnegativeField, validateObjectMeta, validateObjectMetaUpdate } from './objectmeta.js';
import { validateJobTemplateSpecFields } from './job.js';

/** Job names append `-<minutes since epoch>` (11 characters), and job names must stay label values (63). */
const cronJobNameMaxLength = 52;


const validTimeZoneCharacters = /^[A-Za-z.\-_0-9+]{1,14}$/;

function validateTimeZone(tz: string | undefined, path: Path): FieldError[] {
  if (tz == null) return [];
  if (tz.length === 0) return [fieldErr.invalid(path, tz, 'timeZone must be nil or non-empty string')];
  if (tz.toLowerCase() === 'local') return [fieldErr.invalid(path, tz, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !validTimeZoneCharacters.test(part)) {
      return [fieldErr.invalid(path, tz, `unknown time zone ${tz}`)];
    }
  }
  // Node's IANA database stands in for Go's time.LoadLocation.
  if (!isKnownTimeZone(tz)) return [fieldErr.invalid(path, tz, `unknown time zone ${tz}`)];
  return [];
}

function validateScheduleFormat(schedule: string, allowTZInSchedule: boolean, timeZone: string | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  try {
    parseSchedule(schedule);
  } catch (e) {
    if (!(e instanceof CronParseError)) throw e;
    errs.push(fieldErr.invalid(path, schedule, e.message));
  }
  if (allowTZInSchedule && schedule.includes('TZ') && timeZone != null) {
    errs.push(fieldErr.invalid(path, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  } else if (!allowTZInSchedule && schedule.includes('TZ')) {
    errs.push(fieldErr.invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  }
  return errs;
}

function validateCronJobSpec(spec: CronJobSpec, old: CronJobSpec | undefined, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  if (!spec.schedule) errs.push(fieldErr.required(path.child('schedule'), ''));
  else {
    // A schedule stored before the rule existed may keep its TZ prefix.
    const allowTZ = !!old?.schedule?.includes('TZ');
    errs.push(...validateScheduleFormat(spec.schedule, allowTZ, spec.timeZone, path.child('schedule')));
  }
  if (spec.startingDeadlineSeconds != null) errs.push(...validateNonnegativeField(spec.startingDeadlineSeconds, path.child('startingDeadlineSeconds')));
  const cp = path.child('concurrencyPolicy');
  if (!spec.concurrencyPolicy) errs.push(fieldErr.required(cp, ''));
  else if (!['Allow', 'Forbid', 'Replace'].includes(spec.concurrencyPolicy)) errs.push(fieldErr.notSupported(cp, spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']));
  errs.push(...validateTimeZone(spec.timeZone, path.child('timeZone')));
  const jt = path.child('jobTemplate');
  errs.push(...validateLabels(spec.jobTemplate?.metadata?.labels, jt.child('metadata', 'labels')));
  errs.push(...validateAnnotations(spec.jobTemplate?.metadata?.annotations, jt.child('metadata', 'annotations')));
  errs.push(...validateJobTemplateSpecFields(spec.jobTemplate?.spec, jt.child('spec')));
  if (spec.successfulJobsHistoryLimit != null) errs.push(...validateNonnegativeField(spec.successfulJobsHistoryLimit, path.child('successfulJobsHistoryLimit')));
  if (spec.failedJobsHistoryLimit != null) errs.push(...validateNonnegativeField(spec.failedJobsHistoryLimit, path.child('failedJobsHistoryLimit')));
  return errs;
}

export function validateCronJob(cj: CronJob): FieldError[] {
  const errs = validateObjectMeta(cj.metadata, true, nameIsDNSSubdomain, Path.root('metadata'));
  const name = cj.metadata?.name ?? '';
  if (name.length > cronJobNameMaxLength) errs.push(fieldErr.invalid(Path.root('metadata', 'name'), name, maxLenError(cronJobNameMaxLength)));
  errs.push(...validateCronJobSpec(cj.spec ?? ({} as CronJobSpec), undefined, Path.root('spec')));
  return errs;
}

export function validateCronJobUpdate(cj: CronJob, old: CronJob): FieldError[] {
  const errs = validateObjectMetaUpdate(cj.metadata, old.metadata, Path.root('metadata'));
  errs.push(...validateCronJobSpec(cj.spec ?? ({} as CronJobSpec), old.spec, Path.root('spec')));
  return errs;
}

export function validateCronJobStatusUpdate(cj: CronJob, old: CronJob): FieldError[] {
  return validateObjectMetaUpdate(cj.metadata, old.metadata, Path.root('metadata'));
}
