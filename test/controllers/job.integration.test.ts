// The Job and TTL-after-finished controllers against a real API server (no node agent: the test
// plays the kubelet and writes pod phases itself).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from '../../src/api/batch.js';
import type { Event, Pod } from '../../src/api/core.js';
import { R } from '../../src/client/resources.js';
import { startControllerCluster, eventually, retryOnConflict, type ControllerCluster } from './cluster.js';

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ scheduler: false });
});
after(async () => {
  await c.stop();
});

function job(name: string, spec: Partial<Job['spec']> = {}, restartPolicy: 'Never' | 'OnFailure' = 'Never'): Job {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { template: { spec: { restartPolicy, containers: [{ name: 'main', image: 'busybox', command: ['true'] }] } }, ...spec },
  };
}

const podsOf = async (name: string) =>
  (await c.client.list<Pod>(R.pods, 'default', { labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
const getJob = (name: string) => c.client.get<Job>(R.jobs, 'default', name);
const condition = (j: Job, type: string) => j.status?.conditions?.find((x) => x.type === type && x.status === 'True');

/** What a kubelet reports for a pod that ran to the end: its phase and its container's exit code. */
async function finish(p: Pod, phase: 'Succeeded' | 'Failed', exitCode = phase === 'Succeeded' ? 0 : 1): Promise<void> {
  await retryOnConflict(async () => {
    const fresh = await c.client.get<Pod>(R.pods, 'default', p.metadata.name ?? '');
    const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    fresh.status = {
      ...fresh.status,
      phase,
      containerStatuses: [
        {
          name: 'main',
          ready: false,
          restartCount: 0,
          image: 'busybox',
          imageID: '',
          state: { terminated: { exitCode, reason: phase === 'Succeeded' ? 'Completed' : 'Error', startedAt: now, finishedAt: now } },
        } as never,
      ],
    };
    await c.client.update(R.pods, 'default', fresh, { subresource: 'status' });
  });
}

async function events(name: string): Promise<string[]> {
  const list = await c.client.list<Event>(R.events, 'default');
  return list.items.filter((e) => e.involvedObject?.name === name).map((e) => `${e.type} ${e.reason} ${e.message}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}`);
}

test('runs completions pods, parallelism at a time, with the tracking finalizer, then Complete', async () => {
  await c.client.create(R.jobs, 'default', job('two', { completions: 3, parallelism: 2 }));
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('two')).length === 2);
  for (const p of pods) {
    assert.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
    assert.equal(p.metadata.ownerReferences?.[0]?.kind, 'Job');
    assert.match(p.metadata.name ?? '', /^two-[a-z0-9]{5}$/);
  }
  await finish(pods[0]!, 'Succeeded');
  await eventually(async () => (await podsOf('two')).length === 3);
  await eventually(async () => (await getJob('two')).status?.succeeded === 1);
  for (const p of await podsOf('two')) if (p.status?.phase !== 'Succeeded') await finish(p, 'Succeeded');
  await eventually(async () => !!condition(await getJob('two'), 'Complete'));
  const j = await getJob('two');
  assert.equal(j.status?.succeeded, 3);
  assert.ok(j.status?.completionTime);
  assert.equal(condition(j, 'SuccessCriteriaMet')?.reason, 'CompletionsReached');
  assert.equal(condition(j, 'Complete')?.message, 'Reached expected number of succeeded pods');
  assert.deepEqual(j.status?.uncountedTerminatedPods, {});
  // Every pod was counted exactly once and let go.
  await eventually(async () => (await podsOf('two')).every((p) => !p.metadata.finalizers?.length));
  await eventually(async () => (await events('two')).includes('Normal Completed Job completed'));
  assert.equal((await events('two')).filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: two-')).length, 3);
});

test('a failure past backoffLimit fails the Job with BackoffLimitExceeded and creates nothing more', async () => {
  await c.client.create(R.jobs, 'default', job('fails', { backoffLimit: 0 }));
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('fails')).length === 1);
  await finish(pods[0]!, 'Failed', 3);
  await eventually(async () => !!condition(await getJob('fails'), 'Failed'));
  const j = await getJob('fails');
  assert.equal(j.status?.failed, 1);
  assert.equal(condition(j, 'FailureTarget')?.reason, 'BackoffLimitExceeded');
  assert.equal(condition(j, 'Failed')?.message, 'Job has reached the specified backoff limit');
  assert.equal(j.status?.completionTime, undefined);
  assert.equal((await podsOf('fails')).length, 1);
  await eventually(async () => (await events('fails')).includes('Warning BackoffLimitExceeded Job has reached the specified backoff limit'));
  await new Promise((r) => setTimeout(r, 300));
  assert.ok((await events('fails')).includes('Warning BackoffLimitExceeded Job has reached the specified backoff limit'), 'sent once, not once per retried sync');
});

test('a failed pod is replaced only after the back-off', async () => {
  await c.client.create(R.jobs, 'default', job('retry', { backoffLimit: 3 }));
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('retry')).length === 1);
  const failedAt = Date.now();
  await finish(pods[0]!, 'Failed');
  await eventually(async () => (await getJob('retry')).status?.failed === 1);
  await new Promise((r) => setTimeout(r, 1000));
  assert.equal((await podsOf('retry')).length, 1, 'no replacement within the first second of the 10 s back-off');
  await eventually(async () => (await podsOf('retry')).length === 2, 15_000);
  assert.ok(Date.now() - failedAt >= 9_000, `replaced after ${Date.now() - failedAt} ms`);
});

test('pod failure policy: Ignore does not count, FailJob fails the Job at once', async () => {
  await c.client.create(
    R.jobs,
    'default',
    job('policy', {
      backoffLimit: 6,
      podFailurePolicy: {
        rules: [
          { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
          { action: 'Ignore', onExitCodes: { operator: 'In', values: [7] } },
        ],
      },
    }),
  );
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('policy')).length === 1);
  await finish(pods[0]!, 'Failed', 7);
  // Ignored: not counted and replaced at once (no back-off either).
  await eventually(async () => (await podsOf('policy')).filter((p) => !p.status?.phase || p.status.phase === 'Pending').length === 1);
  assert.equal((await getJob('policy')).status?.failed, undefined);
  const second = (await podsOf('policy')).find((p) => p.metadata.name !== pods[0]!.metadata.name)!;
  await finish(second, 'Failed', 42);
  await eventually(async () => !!condition(await getJob('policy'), 'Failed'));
  const j = await getJob('policy');
  assert.equal(condition(j, 'Failed')?.reason, 'PodFailurePolicy');
  assert.equal(condition(j, 'Failed')?.message, `Container main for pod default/${second.metadata.name} failed with exit code 42 matching FailJob rule at index 0`);
  assert.equal(j.status?.failed, 1);
});

test('Indexed: one pod per index with its annotation, label, hostname and JOB_COMPLETION_INDEX', async () => {
  await c.client.create(R.jobs, 'default', job('idx', { completions: 3, parallelism: 2, completionMode: 'Indexed' }));
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('idx')).length === 2);
  const byIndex = new Map(pods.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p]));
  assert.deepEqual([...byIndex.keys()].sort(), ['0', '1']);
  const p0 = byIndex.get('0')!;
  assert.equal(p0.metadata.labels?.['batch.kubernetes.io/job-completion-index'], '0');
  assert.equal(p0.spec.hostname, 'idx-0');
  assert.match(p0.metadata.name ?? '', /^idx-0-[a-z0-9]{5}$/);
  assert.deepEqual(p0.spec.containers[0]!.env, [
    { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
  ]);
  await finish(p0, 'Succeeded');
  await eventually(async () => (await podsOf('idx')).some((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '2'));
  await eventually(async () => (await getJob('idx')).status?.completedIndexes === '0');
  for (const p of await podsOf('idx')) if (!p.status?.phase || p.status.phase === 'Pending') await finish(p, 'Succeeded');
  await eventually(async () => !!condition(await getJob('idx'), 'Complete'));
  const j = await getJob('idx');
  assert.equal(j.status?.completedIndexes, '0-2');
  assert.equal(j.status?.succeeded, 3);
});

test('successPolicy: the leader index succeeding ends an Indexed Job with SuccessCriteriaMet, then Complete', async () => {
  await c.client.create(R.jobs, 'default', job('leader', { completions: 3, parallelism: 3, completionMode: 'Indexed', successPolicy: { rules: [{ succeededIndexes: '0' }] } }));
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('leader')).length === 3);
  await finish(pods.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === '0')!, 'Succeeded');
  await eventually(async () => !!condition(await getJob('leader'), 'Complete'));
  const j = await getJob('leader');
  const met = condition(j, 'SuccessCriteriaMet');
  assert.deepEqual([met?.reason, met?.message], ['SuccessPolicy', 'Matched rules at index 0']);
  assert.deepEqual([condition(j, 'Complete')?.reason, condition(j, 'Complete')?.message], ['SuccessPolicy', 'Matched rules at index 0']);
  assert.equal(j.status?.completedIndexes, '0');
  assert.equal(j.status?.succeeded, 1);
  // The other indexes' pods were removed rather than waited for.
  assert.deepEqual((await podsOf('leader')).map((p) => p.status?.phase), ['Succeeded']);
});

test('activeDeadlineSeconds: running pods are removed and the Job fails with DeadlineExceeded', async () => {
  await c.client.create(R.jobs, 'default', job('deadline', { activeDeadlineSeconds: 1, parallelism: 2, completions: 2 }));
  await eventually(async () => (await podsOf('deadline')).length === 2);
  await eventually(async () => !!condition(await getJob('deadline'), 'Failed'), 10_000);
  const j = await getJob('deadline');
  assert.equal(condition(j, 'Failed')?.reason, 'DeadlineExceeded');
  assert.equal(condition(j, 'Failed')?.message, 'Job was active longer than specified deadline');
  // Deleted, counted, their finalizers removed: gone.
  await eventually(async () => (await podsOf('deadline')).length === 0);
});

test('suspend: no pods while suspended, the Suspended condition, pods on resume', async () => {
  await c.client.create(R.jobs, 'default', job('later', { suspend: true }));
  await eventually(async () => !!condition(await getJob('later'), 'Suspended'));
  assert.equal((await podsOf('later')).length, 0);
  assert.equal((await getJob('later')).status?.startTime, undefined);
  await retryOnConflict(async () => c.client.patch(R.jobs, 'default', 'later', 'merge', { spec: { suspend: false } }));
  await eventually(async () => (await podsOf('later')).length === 1);
  await eventually(async () => (await getJob('later')).status?.conditions?.find((x) => x.type === 'Suspended')?.status === 'False');
  const j = await getJob('later');
  assert.equal(j.status?.conditions?.find((x) => x.type === 'Suspended')?.reason, 'JobResumed');
  assert.ok(j.status?.startTime);
});

test('ttlSecondsAfterFinished deletes the finished Job and its pods', async () => {
  await c.client.create(R.jobs, 'default', job('shortlived', { ttlSecondsAfterFinished: 1 }));
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('shortlived')).length === 1);
  await finish(pods[0]!, 'Succeeded');
  await eventually(async () => !!condition(await getJob('shortlived'), 'Complete'));
  await eventually(async () => {
    try {
      await getJob('shortlived');
      return false;
    } catch (e) {
      return (e as { code?: number }).code === 404;
    }
  }, 10_000);
  await eventually(async () => (await podsOf('shortlived')).length === 0);
});

test('backoffLimitPerIndex: a FailIndex rule gives up one index, the others still run, then FailedIndexes', async () => {
  await c.client.create(
    R.jobs,
    'default',
    job('perindex', {
      completions: 2,
      parallelism: 2,
      completionMode: 'Indexed',
      backoffLimitPerIndex: 1,
      podFailurePolicy: { rules: [{ action: 'FailIndex', onExitCodes: { operator: 'In', values: [42] } }] },
    }),
  );
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('perindex')).length === 2);
  const at = (i: string) => pods.find((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === i)!;
  assert.equal(at('0').metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'], '0');
  await finish(at('0'), 'Failed', 42);
  await eventually(async () => (await getJob('perindex')).status?.failedIndexes === '0');
  assert.equal(condition(await getJob('perindex'), 'FailureTarget'), undefined, 'index 1 still runs');
  await finish(at('1'), 'Succeeded');
  await eventually(async () => !!condition(await getJob('perindex'), 'Failed'));
  const j = await getJob('perindex');
  assert.equal(condition(j, 'Failed')?.reason, 'FailedIndexes');
  assert.equal(condition(j, 'Failed')?.message, 'Job has failed indexes');
  assert.equal(j.status?.completedIndexes, '1');
  assert.equal((await podsOf('perindex')).length, 2, 'no pod for the given-up index');
});

test('maxFailedIndexes: one failed index too many fails the Job at once', async () => {
  await c.client.create(
    R.jobs,
    'default',
    job('maxfailed', {
      completions: 3,
      parallelism: 3,
      completionMode: 'Indexed',
      backoffLimitPerIndex: 0,
      maxFailedIndexes: 0,
    }),
  );
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('maxfailed')).length === 3);
  await finish(pods[0]!, 'Failed', 1);
  await eventually(async () => !!condition(await getJob('maxfailed'), 'Failed'));
  const j = await getJob('maxfailed');
  assert.equal(condition(j, 'Failed')?.reason, 'MaxFailedIndexesExceeded');
  assert.equal(condition(j, 'Failed')?.message, 'Job has exceeded the specified maximal number of failed indexes');
  // The other indexes' pods were stopped; only the failed pod is left.
  await eventually(async () => (await podsOf('maxfailed')).map((p) => p.metadata.name).join() === pods[0]!.metadata.name);
});

test('backoffLimitPerIndex: an index is retried after its own back-off, with its failure count, then given up', async () => {
  await c.client.create(R.jobs, 'default', job('retryindex', { completions: 2, parallelism: 2, completionMode: 'Indexed', backoffLimitPerIndex: 1 }));
  let pods: Pod[] = [];
  await eventually(async () => (pods = await podsOf('retryindex')).length === 2);
  const ofIndex = (ps: Pod[], i: string) => ps.filter((p) => p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'] === i);
  await finish(ofIndex(pods, '0')[0]!, 'Failed', 1);
  const failedAt = Date.now();
  let retry: Pod | undefined;
  await eventually(async () => !!(retry = ofIndex(await podsOf('retryindex'), '0').find((p) => !p.status?.phase || p.status.phase === 'Pending')), 15_000);
  assert.ok(Date.now() - failedAt >= 9_000, `retried after ${Date.now() - failedAt} ms`);
  assert.equal(retry!.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'], '1');
  await finish(retry!, 'Failed', 1);
  await eventually(async () => (await getJob('retryindex')).status?.failedIndexes === '0');
  assert.equal((await getJob('retryindex')).status?.failed, 2);
});
