// What a write answers with is what was stored: the store answers creates, updates, patches and a
// delete that only marks the object (finalizers) with the text it wrote, its revision put in,
// rather than serializing the object again. Whatever the path, the answer must equal what a GET
// returns right after, revision included — on state.db, as `kubesvc up` runs.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';
import type { HttpResult } from '../e2e/harness.js';

const CM = '/api/v1/namespaces/default/configmaps';
const DEP = '/apis/apps/v1/namespaces/default/deployments';

describe('write answers are the stored object', () => {
  let t: TestApiServer;
  /** The write's answer, checked against a GET made right after it. */
  const sameAsStored = async (r: HttpResult, path: string): Promise<Record<string, any>> => {
    assert.ok([200, 201, 202].includes(r.status), `${r.status} ${r.body.slice(0, 300)}`);
    const answered = r.json();
    const got = (await t.send('GET', path)).json();
    assert.deepEqual(answered, got);
    return answered;
  };

  before(async () => {
    t = await startTestApiServer({ prefix: 'kubesvc-write-answers-', datastore: 'sqlite' });
  });
  after(async () => {
    await t?.stop();
  });

  it('a large ConfigMap: create, PUT, merge patch, JSON patch and server-side apply answer what GET returns', async () => {
    const big = 'x'.repeat(200_000);
    const created = await sameAsStored(await t.send('POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big', labels: { a: '1' } }, data: { big } })), `${CM}/big`);
    const put = await sameAsStored(await t.send('PUT', `${CM}/big`, JSON.stringify({ ...created, data: { big, more: 'yes' } })), `${CM}/big`);
    assert.equal(put.data.more, 'yes');
    assert.ok(Number(put.metadata.resourceVersion) > Number(created.metadata.resourceVersion));
    const merged = await sameAsStored(await t.send('PATCH', `${CM}/big`, JSON.stringify({ metadata: { labels: { b: '2' } } }), 'application/merge-patch+json'), `${CM}/big`);
    assert.deepEqual(merged.metadata.labels, { a: '1', b: '2' });
    const jsonPatched = await sameAsStored(await t.send('PATCH', `${CM}/big`, JSON.stringify([{ op: 'remove', path: '/data/more' }]), 'application/json-patch+json'), `${CM}/big`);
    assert.equal(jsonPatched.data.more, undefined);
    const applied = await sameAsStored(
      await t.send('PATCH', `${CM}/big?fieldManager=tester`, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { applied: 'v' } }), 'application/apply-patch+yaml'),
      `${CM}/big`,
    );
    assert.equal(applied.data.applied, 'v');
    assert.ok(applied.metadata.managedFields.some((m: { manager: string }) => m.manager === 'tester'));
  });

  it('a no-op update and a dry run answer as upstream does, and a dry run stores nothing', async () => {
    const cur = (await t.send('GET', `${CM}/big`)).json();
    const same = await sameAsStored(await t.send('PUT', `${CM}/big`, JSON.stringify(cur)), `${CM}/big`);
    assert.equal(same.metadata.resourceVersion, cur.metadata.resourceVersion);
    const dry = await t.send('PUT', `${CM}/big?dryRun=All`, JSON.stringify({ ...cur, data: { ...cur.data, dry: 'run' } }));
    assert.equal(dry.status, 200, dry.body.slice(0, 300));
    assert.equal(dry.json().data.dry, 'run');
    assert.equal((await t.send('GET', `${CM}/big`)).json().data.dry, undefined);
  });

  it('a status write and a Deployment scaled through its spec answer what GET returns', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'w' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'w' } }, template: { metadata: { labels: { app: 'w' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause' }] } } },
    };
    const d = await sameAsStored(await t.send('POST', DEP, JSON.stringify(dep)), `${DEP}/w`);
    const scaled = await sameAsStored(await t.send('PATCH', `${DEP}/w`, JSON.stringify({ spec: { replicas: 3 } }), 'application/merge-patch+json'), `${DEP}/w`);
    assert.equal(scaled.spec.replicas, 3);
    assert.equal(scaled.metadata.generation, (d.metadata.generation ?? 1) + 1);
    const status = await t.send('PUT', `${DEP}/w/status`, JSON.stringify({ ...scaled, status: { observedGeneration: scaled.metadata.generation, replicas: 3 } }));
    const s = await sameAsStored(status, `${DEP}/w`);
    assert.equal(s.status.replicas, 3);
  });

  it('a delete that only marks an object with a finalizer answers the marked object', async () => {
    await sameAsStored(await t.send('POST', CM, JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: ['example.com/hold'] } })), `${CM}/held`);
    const deleting = await t.send('DELETE', `${CM}/held`);
    // Upstream answers a deletion that is not complete yet with 202 and the object as marked.
    assert.equal(deleting.status, 202);
    const marked = await sameAsStored(deleting, `${CM}/held`);
    assert.ok(marked.metadata.deletionTimestamp);
    const released = await t.send('PATCH', `${CM}/held`, JSON.stringify({ metadata: { finalizers: null } }), 'application/merge-patch+json');
    assert.equal(released.status, 200, released.body.slice(0, 300));
    assert.equal((await t.send('GET', `${CM}/held`)).status, 404);
  });
});
