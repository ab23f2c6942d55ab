// Jobs and CronJobs through kubectl against `kubesvc up`, with pods running their commands on this
// machine: completion, logs, a failing Job reaching its backoffLimit, an Indexed Job, a CronJob and
// a Job made from it, the `kubectl get` columns, and TTL after finished.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { startCluster, kubectl, kubectlOk, tempDir, until, type Cluster } from './harness.js';

const failing = `apiVersion: batch/v1
kind: Job
metadata:
  name: failing
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: kubesvc.io/host
        command: ["sh", "-c", "echo failing; exit 3"]
`;

const indexed = `apiVersion: batch/v1
kind: Job
metadata:
  name: indexed
spec:
  completions: 3
  parallelism: 2
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: kubesvc.io/host
        command: ["sh", "-c", "echo index=$JOB_COMPLETION_INDEX"]
`;

// Fails on its first run, succeeds when restarted in place (restartPolicy OnFailure).
const onFailure = `apiVersion: batch/v1
kind: Job
metadata:
  name: onfailure
spec:
  template:
    spec:
      restartPolicy: OnFailure
      containers:
      - name: main
        image: kubesvc.io/host
        command: ["sh", "-c", "f=$TMPDIR/run-$POD_NAME; if [ -e $f ]; then echo second run; exit 0; fi; touch $f; echo first run; exit 1"]
        env:
        - name: TMPDIR
          value: "%TMP%"
`;

const shortlived = `apiVersion: batch/v1
kind: Job
metadata:
  name: shortlived
spec:
  ttlSecondsAfterFinished: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: main
        image: kubesvc.io/host
        command: ["true"]
`;

describe('Jobs and CronJobs through kubectl', () => {
  const dataDir = tempDir('kubesvc-batchworkloads-');
  let c: Cluster;
  before(async () => {
    c = await startCluster({ dataDir });
    // Started together: the failing Job's 10 s back-off runs while the other tests do.
    kubectlOk(c, ['apply', '-f', '-'], failing);
    kubectlOk(c, ['apply', '-f', '-'], indexed);
  });
  after(async () => {
    await c?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('kubectl create job runs to completion; kubectl wait and kubectl logs job/pi work', () => {
    kubectlOk(c, ['create', 'job', 'pi', '--image=kubesvc.io/host', '--', 'sh', '-c', 'echo pi is 3.14159; exit 0']);
    kubectlOk(c, ['wait', '--for=condition=complete', 'job/pi', '--timeout=30s']);
    assert.match(kubectlOk(c, ['logs', 'job/pi']), /pi is 3\.14159/);
    const job = JSON.parse(kubectlOk(c, ['get', 'job', 'pi', '-o', 'json']));
    assert.equal(job.status.succeeded, 1);
    assert.equal(job.metadata.labels['batch.kubernetes.io/job-name'], 'pi');
    const pods = JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'job-name=pi', '-o', 'json'])).items;
    assert.equal(pods.length, 1);
    assert.equal(pods[0].status.phase, 'Succeeded');
    assert.deepEqual(pods[0].metadata.finalizers ?? [], [], 'the tracking finalizer is gone once counted');
    const events = kubectlOk(c, ['get', 'events', '--field-selector', 'involvedObject.name=pi']);
    assert.match(events, /SuccessfulCreate\s+job\/pi\s+Created pod: pi-/);
    assert.match(events, /Completed\s+job\/pi\s+Job completed/);
  });

  it('an Indexed Job of 3 completions, 2 at a time, gives each pod its index', async () => {
    kubectlOk(c, ['wait', '--for=condition=complete', 'job/indexed', '--timeout=30s']);
    const job = JSON.parse(kubectlOk(c, ['get', 'job', 'indexed', '-o', 'json']));
    assert.equal(job.status.completedIndexes, '0-2');
    const pods = JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'job-name=indexed', '-o', 'json'])).items;
    const seen = pods.map((p: { metadata: { name: string }; spec: { hostname: string } }) => {
      const out = kubectlOk(c, ['logs', p.metadata.name]).trim();
      const index = /^index=(\d)$/.exec(out)?.[1];
      assert.equal(p.spec.hostname, `indexed-${index}`);
      return out;
    });
    assert.deepEqual(seen.sort(), ['index=0', 'index=1', 'index=2']);
  });

  it('a failing Job is retried once after its back-off, then Failed with BackoffLimitExceeded', async () => {
    const r = kubectl(c, ['wait', '--for=condition=failed', 'job/failing', '--timeout=25s']);
    assert.equal(r.code, 0, r.stderr);
    const job = JSON.parse(kubectlOk(c, ['get', 'job', 'failing', '-o', 'json']));
    const failed = job.status.conditions.find((x: { type: string }) => x.type === 'Failed');
    assert.equal(failed.reason, 'BackoffLimitExceeded');
    assert.equal(failed.message, 'Job has reached the specified backoff limit');
    assert.equal(job.status.failed, 2);
    assert.equal(kubectlOk(c, ['get', 'pods', '-l', 'job-name=failing', '-o', 'name']).trim().split('\n').length, 2);
  });

  it('kubectl create cronjob, create job --from=cronjob, and the get columns', () => {
    kubectlOk(c, ['create', 'cronjob', 'hello', '--image=kubesvc.io/host', '--schedule=@hourly', '--', 'sh', '-c', 'echo hello from cron']);
    kubectlOk(c, ['create', 'job', 'hello-now', '--from=cronjob/hello']);
    kubectlOk(c, ['wait', '--for=condition=complete', 'job/hello-now', '--timeout=30s']);
    assert.match(kubectlOk(c, ['logs', 'job/hello-now']), /hello from cron/);
    const job = JSON.parse(kubectlOk(c, ['get', 'job', 'hello-now', '-o', 'json']));
    assert.equal(job.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
    assert.equal(job.metadata.ownerReferences[0].kind, 'CronJob');

    const out = kubectlOk(c, ['get', 'jobs,cronjobs']);
    assert.match(out, /^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/m);
    assert.match(out, /^job\.batch\/pi\s+Complete\s+1\/1\s+\d+s\s+\d+s$/m);
    assert.match(out, /^job\.batch\/indexed\s+Complete\s+3\/3\s+/m);
    assert.match(out, /^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/m);
    assert.match(out, /^cronjob\.batch\/hello\s+@hourly\s+<none>\s+False\s+0\s+<none>\s+\d+s$/m);
    const wide = kubectlOk(c, ['get', 'cronjob', 'hello', '-o', 'wide']);
    assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
    assert.match(wide, /hello\s+kubesvc\.io\/host\s+<none>/);
  });

  it('bad schedules and time zones are refused with upstream messages', () => {
    const r = kubectl(c, ['create', 'cronjob', 'bad', '--image=kubesvc.io/host', '--schedule=0 0 31 13 *', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec\.schedule: Invalid value: "0 0 31 13 \*": end of range \(13\) above maximum \(12\): 13/);
    const tz = kubectl(c, ['create', 'cronjob', 'bad', '--image=kubesvc.io/host', '--schedule=TZ=Europe/Paris 0 * * * *', '--', 'true']);
    assert.match(tz.stderr, /cannot use TZ or CRON_TZ in schedule, use timeZone field instead/);
    const always = kubectl(c, ['create', 'job', 'bad', '--image=kubesvc.io/host', '--dry-run=server', '-o', 'json', '--', 'true']);
    assert.equal(always.code, 0, 'kubectl create job sets restartPolicy Never');
  });

  it('restartPolicy OnFailure restarts the container in place until it succeeds', () => {
    kubectlOk(c, ['apply', '-f', '-'], onFailure.replace('%TMP%', dataDir));
    kubectlOk(c, ['wait', '--for=condition=complete', 'job/onfailure', '--timeout=30s']);
    const pods = JSON.parse(kubectlOk(c, ['get', 'pods', '-l', 'job-name=onfailure', '-o', 'json'])).items;
    assert.equal(pods.length, 1, 'one pod, restarted, not replaced');
    assert.equal(pods[0].status.containerStatuses[0].restartCount, 1);
    assert.match(kubectlOk(c, ['logs', pods[0].metadata.name]), /second run/);
    assert.match(kubectlOk(c, ['logs', pods[0].metadata.name, '--previous']), /first run/);
  });

  it('activeDeadlineSeconds stops a running pod and fails the Job with DeadlineExceeded', async () => {
    kubectlOk(c, ['create', 'job', 'slow', '--image=kubesvc.io/host', '--', 'sleep', '300']);
    kubectlOk(c, ['patch', 'job', 'slow', '--type=merge', '-p', '{"spec":{"activeDeadlineSeconds":2}}']);
    kubectlOk(c, ['wait', '--for=condition=failed', 'job/slow', '--timeout=30s']);
    const job = JSON.parse(kubectlOk(c, ['get', 'job', 'slow', '-o', 'json']));
    assert.equal(job.status.conditions.find((x: { type: string }) => x.type === 'Failed').reason, 'DeadlineExceeded');
    await until('its pod to be gone', () => kubectlOk(c, ['get', 'pods', '-l', 'job-name=slow', '-o', 'name']).trim(), (s) => s === '', 45_000);
  });

  it('ttlSecondsAfterFinished: 0 deletes the Job and its pod once it finished', async () => {
    kubectlOk(c, ['apply', '-f', '-'], shortlived);
    await until('the Job to be deleted', () => kubectl(c, ['get', 'job', 'shortlived']).code, (code) => code !== 0, 30_000);
    await until('its pod to go', () => kubectlOk(c, ['get', 'pods', '-l', 'job-name=shortlived', '-o', 'name']).trim(), (s) => s === '', 30_000);
  });
});
