// Job and CronJob defaults, generated selectors and validation (batch/v1), with upstream's messages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from '../../../src/api/batch.js';
import { errorString } from '../../../src/machinery/field.js';
import { strategyFor } from './helpers.js';

const uid = '0d4f0f6e-1111-4222-8333-944444444444';

function job(tweak: (j: Job) => void = () => {}): Job {
  const j: Job = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: 'pi', namespace: 'default', uid, resourceVersion: '1' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] } } },
  };
  tweak(j);
  return j;
}

/** What the store does on create: defaults, prepareForCreate (selector generation), validation. */
function createJob(j: Job): string[] {
  const s = strategyFor('Job');
  s.defaults(j);
  s.prepareForCreate?.(j);
  return s.validateCreate(j).map(errorString);
}

function cronJob(tweak: (c: CronJob) => void = () => {}): CronJob {
  const c: CronJob = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default', resourceVersion: '1' },
    spec: { schedule: '*/5 * * * *', jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox' }] } } } } },
  };
  tweak(c);
  return c;
}

function createCronJob(c: CronJob): string[] {
  const s = strategyFor('CronJob');
  s.defaults(c);
  s.prepareForCreate?.(c);
  return s.validateCreate(c).map(errorString);
}

describe('Job defaults and the generated selector', () => {
  it('completions and parallelism 1, backoffLimit 6, NonIndexed, not suspended, TerminatingOrFailed', () => {
    const j = job();
    assert.deepEqual(createJob(j), []);
    assert.equal(j.spec.completions, 1);
    assert.equal(j.spec.parallelism, 1);
    assert.equal(j.spec.backoffLimit, 6);
    assert.equal(j.spec.completionMode, 'NonIndexed');
    assert.equal(j.spec.suspend, false);
    assert.equal(j.spec.podReplacementPolicy, 'TerminatingOrFailed');
  });

  it('only parallelism given: completions stay unset (a work queue job)', () => {
    const j = job((x) => (x.spec.parallelism = 3));
    createJob(j);
    assert.equal(j.spec.completions, undefined);
    assert.equal(j.spec.parallelism, 3);
  });

  it('backoffLimitPerIndex makes the job-wide limit MaxInt32; a pod failure policy makes replacement wait for Failed', () => {
    const j = job((x) => {
      x.spec.completionMode = 'Indexed';
      x.spec.completions = 2;
      x.spec.backoffLimitPerIndex = 1;
      x.spec.podFailurePolicy = { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] };
    });
    assert.deepEqual(createJob(j), []);
    assert.equal(j.spec.backoffLimit, 2147483647);
    assert.equal(j.spec.podReplacementPolicy, 'Failed');
    assert.equal(j.spec.podFailurePolicy?.rules[0]?.onPodConditions?.[0]?.status, 'True');
  });

  it('labels pods with the job name and uid (new and legacy keys), selects the uid, and copies them to the Job', () => {
    const j = job();
    createJob(j);
    assert.deepEqual(j.spec.selector, { matchLabels: { 'batch.kubernetes.io/controller-uid': uid } });
    assert.deepEqual(j.spec.template.metadata?.labels, {
      'job-name': 'pi',
      'batch.kubernetes.io/job-name': 'pi',
      'controller-uid': uid,
      'batch.kubernetes.io/controller-uid': uid,
    });
    assert.deepEqual(j.metadata.labels, j.spec.template.metadata?.labels);
  });

  it('manualSelector leaves selector and labels to the user, who must make them match', () => {
    const j = job((x) => {
      x.spec.manualSelector = true;
      x.spec.selector = { matchLabels: { app: 'a' } };
      x.spec.template.metadata = { labels: { app: 'b' } };
    });
    assert.deepEqual(createJob(j), ['spec.template.metadata.labels: Invalid value: {"app":"b"}: `selector` does not match template `labels`']);
  });

  it('a selector the user wrote without manualSelector is refused', () => {
    const j = job((x) => (x.spec.selector = { matchLabels: { 'batch.kubernetes.io/controller-uid': 'someone-else' } }));
    const errs = createJob(j);
    assert.ok(errs.includes('spec.selector: Invalid value: {"matchLabels":{"batch.kubernetes.io/controller-uid":"someone-else"}}: `selector` not auto-generated'), errs.join('\n'));
  });
});

describe('Job validation', () => {
  const cases: [string, (j: Job) => void, string[]][] = [
    ['restartPolicy left to default (Always)', (j) => delete j.spec.template.spec!.restartPolicy, ['spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']],
    ['negative counts', (j) => {
      j.spec.parallelism = -1;
      j.spec.completions = -2;
      j.spec.backoffLimit = -1;
      j.spec.activeDeadlineSeconds = -5;
      j.spec.ttlSecondsAfterFinished = -1;
    }, [
      'spec.parallelism: Invalid value: -1: must be greater than or equal to 0',
      'spec.completions: Invalid value: -2: must be greater than or equal to 0',
      'spec.activeDeadlineSeconds: Invalid value: -5: must be greater than or equal to 0',
      'spec.backoffLimit: Invalid value: -1: must be greater than or equal to 0',
      'spec.ttlSecondsAfterFinished: Invalid value: -1: must be greater than or equal to 0',
    ]],
    ['Indexed without completions', (j) => {
      j.spec.completionMode = 'Indexed';
      j.spec.parallelism = 2;
    }, ['spec.completions: Required value: when completion mode is Indexed']],
    ['unknown completion mode', (j) => (j.spec.completionMode = 'Sometimes' as never), ['spec.completionMode: Unsupported value: "Sometimes": supported values: "NonIndexed", "Indexed"']],
    ['backoffLimitPerIndex outside Indexed', (j) => (j.spec.backoffLimitPerIndex = 1), ['spec.backoffLimitPerIndex: Forbidden: requires indexed completion mode']],
    ['pod failure policy with OnFailure', (j) => {
      j.spec.template.spec!.restartPolicy = 'OnFailure';
      j.spec.podFailurePolicy = { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [42] } }] };
    }, ['spec.template.spec.restartPolicy: Invalid value: "OnFailure": only "Never" is supported when podFailurePolicy is specified']],
    ['pod failure policy rules', (j) => {
      j.spec.podFailurePolicy = {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'nope', operator: 'In', values: [0, 5, 3, 3] } },
          { action: 'Explode' as never, onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] },
          { action: 'Ignore' },
        ],
      };
    }, [
      'spec.podFailurePolicy.rules[0].onExitCodes.containerName: Invalid value: "nope": must be one of the container or initContainer names in the pod template',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[0]: Invalid value: 0: must not be 0 for the In operator',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[2]: Invalid value: 3: must be ordered',
      'spec.podFailurePolicy.rules[0].onExitCodes.values[3]: Duplicate value: 3',
      'spec.podFailurePolicy.rules[1].action: Unsupported value: "Explode": supported values: "Count", "FailIndex", "FailJob", "Ignore"',
      'spec.podFailurePolicy.rules[2]: Invalid value: specifying one of OnExitCodes and OnPodConditions is required',
    ]],
  ];
  for (const [name, tweak, want] of cases) {
    it(name, () => {
      const errs = createJob(job(tweak));
      assert.deepEqual(errs, want);
    });
  }

  it('on update, selector, template and completionMode are immutable; completions of Indexed jobs move only with parallelism', () => {
    const s = strategyFor('Job');
    const old = job((x) => {
      x.spec.completionMode = 'Indexed';
      x.spec.completions = 3;
      x.spec.parallelism = 3;
    });
    createJob(old);
    const cur = structuredClone(old);
    cur.spec.template.spec!.containers[0]!.image = 'other';
    cur.spec.completions = 4;
    const errs = s.validateUpdate(cur, old).map(errorString);
    assert.ok(errs.some((e) => e.startsWith('spec.template: Invalid value:') && e.endsWith('field is immutable')), errs.join('\n'));
    assert.ok(errs.includes('spec.completions: Invalid value: 4: can only be modified in tandem with spec.parallelism'), errs.join('\n'));
    const elastic = structuredClone(old);
    elastic.spec.completions = 5;
    elastic.spec.parallelism = 5;
    assert.deepEqual(s.validateUpdate(elastic, old).map(errorString), []);
  });
});

describe('CronJob defaults and validation', () => {
  it('defaults Allow, not suspended, history limits 3 and 1', () => {
    const c = cronJob();
    assert.deepEqual(createCronJob(c), []);
    assert.equal(c.spec.concurrencyPolicy, 'Allow');
    assert.equal(c.spec.suspend, false);
    assert.equal(c.spec.successfulJobsHistoryLimit, 3);
    assert.equal(c.spec.failedJobsHistoryLimit, 1);
    // The job template's JobSpec is not defaulted on the CronJob.
    assert.equal(c.spec.jobTemplate.spec.backoffLimit, undefined);
  });

  const cases: [string, (c: CronJob) => void, string[]][] = [
    ['macros are schedules', (c) => (c.spec.schedule = '@hourly'), []],
    ['names of months and days', (c) => (c.spec.schedule = '0 9 * jan-mar mon-fri'), []],
    ['an IANA time zone', (c) => (c.spec.timeZone = 'Europe/Berlin'), []],
    ['empty schedule', (c) => (c.spec.schedule = ''), ['spec.schedule: Required value']],
    ['too few fields', (c) => (c.spec.schedule = '* * *'), ['spec.schedule: Invalid value: "* * *": expected exactly 5 fields, found 3: [* * *]']],
    ['out of range', (c) => (c.spec.schedule = '0 24 * * *'), ['spec.schedule: Invalid value: "0 24 * * *": end of range (24) above maximum (23): 24']],
    ['not a number', (c) => (c.spec.schedule = 'x * * * *'), ['spec.schedule: Invalid value: "x * * * *": failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax']],
    ['unknown macro', (c) => (c.spec.schedule = '@fortnightly'), ['spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly']],
    ['TZ in the schedule', (c) => (c.spec.schedule = 'CRON_TZ=UTC 0 * * * *'), ['spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    ['unknown time zone', (c) => (c.spec.timeZone = 'Mars/Olympus'), ['spec.timeZone: Invalid value: "Mars/Olympus": unknown time zone Mars/Olympus']],
    ['Local is not a zone', (c) => (c.spec.timeZone = 'Local'), ['spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones']],
    ['bad concurrency policy', (c) => (c.spec.concurrencyPolicy = 'Sometimes' as never), ['spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"']],
    ['negative deadline', (c) => (c.spec.startingDeadlineSeconds = -1), ['spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0']],
    ['name too long for job names', (c) => (c.metadata.name = 'a'.repeat(53)), [`metadata.name: Invalid value: "${'a'.repeat(53)}": must be no more than 52 characters`]],
    ['restartPolicy Always in the job template', (c) => (c.spec.jobTemplate.spec.template.spec!.restartPolicy = 'Always'), ['spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"']],
  ];
  for (const [name, tweak, want] of cases) {
    it(name, () => assert.deepEqual(createCronJob(cronJob(tweak)), want));
  }

  it('a schedule stored with TZ= may keep it on update', () => {
    const s = strategyFor('CronJob');
    const old = cronJob((c) => (c.spec.schedule = 'TZ=UTC 0 * * * *'));
    s.defaults(old);
    const cur = structuredClone(old);
    cur.spec.suspend = true;
    assert.deepEqual(s.validateUpdate(cur, old).map(errorString), []);
  });
});
