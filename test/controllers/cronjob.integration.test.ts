// The CronJob controller against a real API server, on an injected clock: the test moves time and
// runs syncs instead of waiting for minutes. No Job controller runs: the test finishes Jobs itself.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from '../../src/api/batch.js';
import type { KubeObject } from '../../src/api/meta.js';
import { LocalClient } from '../../src/apiserver/local-client.js';
import { InformerFactoryImpl } from '../../src/client/informer.js';
import { R } from '../../src/client/resources.js';
import { CronJobController } from '../../src/controllers/cronjob/controller.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { eventually, retryOnConflict } from './cluster.js';

let t: TestApiServer;
let client: LocalClient;
let informers: InformerFactoryImpl;
let ctrl: CronJobController;
let now = 0;
const events: string[] = [];

before(async () => {
  t = await startTestApiServer({ prefix: 'kubesvc-cronjob-' });
  client = new LocalClient(t.api);
  informers = new InformerFactoryImpl(client);
  ctrl = new CronJobController(client, informers, {
    now: () => now,
    recorder: { event: (o: KubeObject, type, reason, message) => events.push(`${o.metadata.name} ${type} ${reason} ${message}`) },
  });
  informers.start();
  await informers.waitForSync();
  // Syncs are run by the test, on its clock; the controller's workers never start.
});
after(async () => {
  ctrl.stop();
  informers.stop();
  await t.stop();
});

const MIN = 60_000;

function cronJob(name: string, spec: Partial<CronJob['spec']>): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { metadata: { labels: { from: name } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } } } },
      ...spec,
    },
  };
}

/** Creates the CronJob and returns the first 5-minute mark after its creation. */
async function create(cj: CronJob): Promise<number> {
  const created = await client.create<CronJob>(R.cronjobs, 'default', cj);
  await eventually(() => ctrl['cronJobs'].lister.get('default', cj.metadata.name ?? '') !== undefined);
  const at = Date.parse(created.metadata.creationTimestamp ?? '');
  return Math.floor(at / (5 * MIN)) * 5 * MIN + 5 * MIN;
}

const jobsOf = async (name: string) => (await client.list<Job>(R.jobs, 'default', { labelSelector: `from=${name}` })).items.filter((j) => !j.metadata.deletionTimestamp);
const getCJ = (name: string) => client.get<CronJob>(R.cronjobs, 'default', name);

/** Runs one sync once the caches show what the API server holds (jobs included). */
async function sync(name: string): Promise<void> {
  const want = (await client.list<Job>(R.jobs, 'default')).items.map((j) => j.metadata.resourceVersion).sort();
  const cjRV = (await getCJ(name)).metadata.resourceVersion;
  await eventually(() => {
    const have = ctrl['jobs'].lister.list('default').map((j: Job) => j.metadata.resourceVersion).sort();
    return JSON.stringify(have) === JSON.stringify(want) && ctrl['cronJobs'].lister.get('default', name)?.metadata.resourceVersion === cjRV;
  });
  await ctrl.sync(`default/${name}`);
}

async function finishJob(j: Job, type: 'Complete' | 'Failed'): Promise<void> {
  await retryOnConflict(async () => {
    const fresh = await client.get<Job>(R.jobs, 'default', j.metadata.name ?? '');
    const ts = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
    fresh.status = { ...fresh.status, startTime: ts, conditions: [{ type, status: 'True', lastTransitionTime: ts }], ...(type === 'Complete' ? { completionTime: ts, succeeded: 1 } : { failed: 1 }) };
    await client.update(R.jobs, 'default', fresh, { subresource: 'status' });
  });
}

test('starts the Job for the most recent schedule time once, named by its minute, and tracks it', async () => {
  const first = await create(cronJob('tick', { concurrencyPolicy: 'Forbid' }));
  now = first - 10_000;
  await sync('tick');
  assert.equal((await jobsOf('tick')).length, 0, 'nothing before the first schedule time');
  now = first + 30_000;
  await sync('tick');
  const jobs = await jobsOf('tick');
  assert.equal(jobs.length, 1);
  const j = jobs[0]!;
  assert.equal(j.metadata.name, `tick-${first / MIN}`);
  assert.equal(j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(first).toISOString().replace('.000Z', 'Z'));
  assert.equal(j.metadata.ownerReferences?.[0]?.kind, 'CronJob');
  assert.equal(j.metadata.ownerReferences?.[0]?.controller, true);
  const cj = await getCJ('tick');
  assert.deepEqual(cj.status?.active?.map((r) => r.name), [j.metadata.name]);
  assert.equal(cj.status?.lastScheduleTime, new Date(first).toISOString().replace('.000Z', 'Z'));
  assert.ok(events.includes(`tick Normal SuccessfulCreate Created job ${j.metadata.name}`));

  // The same time again starts nothing.
  await sync('tick');
  assert.equal((await jobsOf('tick')).length, 1);

  // Forbid: the next time comes while the Job still runs.
  now = first + 5 * MIN + 1000;
  await sync('tick');
  assert.equal((await jobsOf('tick')).length, 1);
  assert.ok(events.includes('tick Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'));

  // Finished: it leaves status.active, lastSuccessfulTime follows, and the next time starts a Job.
  await finishJob(j, 'Complete');
  await sync('tick');
  const after = await getCJ('tick');
  assert.deepEqual(after.status?.active?.map((r) => r.name), [`tick-${first / MIN + 5}`]);
  assert.ok(after.status?.lastSuccessfulTime);
  assert.ok(events.includes(`tick Normal SawCompletedJob Saw completed job: ${j.metadata.name}, condition: Complete`));
});

test('Replace deletes the running Job before starting the next one', async () => {
  const first = await create(cronJob('swap', { concurrencyPolicy: 'Replace' }));
  now = first + 1000;
  await sync('swap');
  now = first + 5 * MIN + 1000;
  await sync('swap');
  assert.deepEqual((await jobsOf('swap')).map((j) => j.metadata.name), [`swap-${first / MIN + 5}`]);
  assert.ok(events.includes(`swap Normal SuccessfulDelete Deleted job swap-${first / MIN}`));
});

test('a time missed by more than startingDeadlineSeconds is not started late; the next one is', async () => {
  const first = await create(cronJob('late', { startingDeadlineSeconds: 10 }));
  now = first + 60_000;
  await sync('late');
  // Upstream looks back only startingDeadlineSeconds: the missed time is out of sight, nothing starts.
  assert.equal((await jobsOf('late')).length, 0);
  now = first + 5 * MIN + 5000;
  await sync('late');
  assert.deepEqual((await jobsOf('late')).map((j) => j.metadata.name), [`late-${first / MIN + 5}`]);
});

test('more than 100 missed times: a TooManyMissedTimes warning, then the most recent one runs', async () => {
  const first = await create(cronJob('behind', { schedule: '* * * * *' }));
  now = first + 200 * MIN + 5000;
  await sync('behind');
  assert.ok(events.some((e) => e.startsWith('behind Warning TooManyMissedTimes too many missed start times: ')), events.join('\n'));
  assert.deepEqual((await jobsOf('behind')).map((j) => j.metadata.name), [`behind-${first / MIN + 200}`]);
});

test('schedules in the CronJob time zone and annotates the time with its offset', async () => {
  const created = await client.create<CronJob>(R.cronjobs, 'default', cronJob('tokyo', { schedule: '0 9 * * *', timeZone: 'Asia/Tokyo' }));
  await eventually(() => ctrl['cronJobs'].lister.get('default', 'tokyo') !== undefined);
  // 09:00 in Tokyo is 00:00 UTC: the first midnight UTC after creation.
  const day = 24 * 60 * MIN;
  const nineInTokyo = Math.floor(Date.parse(created.metadata.creationTimestamp ?? '') / day) * day + day;
  now = nineInTokyo + 1000;
  await sync('tokyo');
  const jobs = await jobsOf('tokyo');
  assert.deepEqual(jobs.map((j) => j.metadata.name), [`tokyo-${nineInTokyo / MIN}`]);
  const date = new Date(nineInTokyo).toISOString().slice(0, 10);
  assert.equal(jobs[0]!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], `${date}T09:00:00+09:00`);
});

test('finished Jobs beyond the history limits are deleted, oldest first', async () => {
  const first = await create(cronJob('hist', { successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }));
  for (let i = 0; i < 3; i++) {
    now = first + i * 5 * MIN + 1000;
    await sync('hist');
    const j = (await jobsOf('hist')).find((x) => x.metadata.name === `hist-${first / MIN + i * 5}`)!;
    await finishJob(j, i === 1 ? 'Failed' : 'Complete');
  }
  await sync('hist');
  assert.deepEqual((await jobsOf('hist')).map((j) => j.metadata.name), [`hist-${first / MIN + 10}`]);
});
