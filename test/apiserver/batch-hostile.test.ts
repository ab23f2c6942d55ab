// Hostile and mistaken Job and CronJob writes over HTTPS: each is a 4xx Status naming the field
// (never a 5xx), and the server keeps answering.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import { rawRequest, type RawResult } from '../support/raw-request.js';

const template = { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } };
const job = (spec: Record<string, unknown>) => JSON.stringify({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { template, ...spec } });
const cron = (spec: Record<string, unknown>, name = 'cj') =>
  JSON.stringify({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name }, spec: { schedule: '@daily', jobTemplate: { spec: { template } }, ...spec } });

describe('hostile Job and CronJob writes', () => {
  let t: TestApiServer;
  const post = (resource: string, body: string, contentType?: string) =>
    rawRequest({ url: t.api.url, kubeconfig: t.kubeconfig }, 'POST', `/apis/batch/v1/namespaces/default/${resource}`, body, contentType ? { contentType } : {});
  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-batch-hostile-' });
  });
  after(async () => t?.stop());

  function causes(r: RawResult): string[] {
    return (r.json().details?.causes ?? []).map((c: { field: string; message: string }) => `${c.field}: ${c.message}`);
  }

  it('wrong types are a 400 from the decoder', async () => {
    const r = await post('jobs', job({ parallelism: 'many' }));
    assert.equal(r.status, 400, r.body);
    assert.match(r.json().message, /parallelism/);
    const big = await post('jobs', job({ completions: 2 ** 40 }));
    assert.ok(big.status === 400 || big.status === 422, big.body);
  });

  it('schedules of 200,000 characters are parsed quickly: a valid one stored, a broken one a 422', async () => {
    const start = Date.now();
    // robfig/cron reads a list of 100,000 ones as minute 1, and so does kubesvc.
    const ok = await post('cronjobs', cron({ schedule: `${'1,'.repeat(100_000)}1 * * * *` }, 'long'));
    assert.equal(ok.status, 201, ok.body.slice(0, 300));
    const r = await post('cronjobs', cron({ schedule: `${'1,'.repeat(100_000)}x * * * *` }));
    assert.equal(r.status, 422, r.body.slice(0, 300));
    assert.match(causes(r)[0]!, /: failed to parse int from x: strconv\.Atoi: parsing "x": invalid syntax$/);
    assert.ok(Date.now() - start < 5000);
    const huge = await post('cronjobs', cron({ schedule: '99999999999999999999 * * * *' }));
    assert.equal(huge.status, 422);
    assert.deepEqual(causes(huge), ['spec.schedule: Invalid value: "99999999999999999999 * * * *": failed to parse int from 99999999999999999999: strconv.Atoi: parsing "99999999999999999999": value out of range']);
  });

  it('time zones that try to walk the file system are unknown time zones', async () => {
    for (const tz of ['../../etc/passwd', '/etc/localtime', 'Europe/../../x', '-foo']) {
      const r = await post('cronjobs', cron({ timeZone: tz }));
      assert.equal(r.status, 422, r.body);
      assert.deepEqual(causes(r), [`spec.timeZone: Invalid value: "${tz}": unknown time zone ${tz}`]);
    }
  });

  it('a pod failure policy with 21 rules and a job template with manualSelector are refused', async () => {
    const rules = Array.from({ length: 21 }, () => ({ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }));
    const r = await post('jobs', job({ podFailurePolicy: { rules } }));
    assert.equal(r.status, 422);
    assert.ok(causes(r).includes('spec.podFailurePolicy.rules: Too many: 21: must have at most 20 items'), causes(r).join('\n'));
    const m = await post('cronjobs', cron({ jobTemplate: { spec: { manualSelector: true, template } } }));
    assert.equal(m.status, 422);
    assert.deepEqual(causes(m), ['spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"']);
  });

  it('status written by a client must keep its counts non-negative', async () => {
    assert.equal((await post('jobs', job({}))).status, 201);
    const get = await rawRequest({ url: t.api.url, kubeconfig: t.kubeconfig }, 'GET', '/apis/batch/v1/namespaces/default/jobs/j');
    const j = get.json();
    j.status = { succeeded: -1, uncountedTerminatedPods: { succeeded: ['a'], failed: ['a'] } };
    const r = await rawRequest({ url: t.api.url, kubeconfig: t.kubeconfig }, 'PUT', '/apis/batch/v1/namespaces/default/jobs/j/status', JSON.stringify(j));
    assert.equal(r.status, 422);
    assert.deepEqual(causes(r), [
      'status.succeeded: Invalid value: -1: must be greater than or equal to 0',
      'status.uncountedTerminatedPods.failed[0]: Duplicate value: "a"',
    ]);
  });
});
