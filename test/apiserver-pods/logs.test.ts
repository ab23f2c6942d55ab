// pods/log through the real kubectl: whole logs, --tail, -f (lines arrive as written, and the
// node's stream is closed when kubectl goes away), and upstream's errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPod, eventually, kubectl, startKubectl, startTestCluster, waiting, type TestCluster } from './fixture.js';

describe('pods/log', () => {
  let t: TestCluster;
  before(async () => {
    t = await startTestCluster();
    await createPod(t, 'web', ['app']);
    await createPod(t, 'two', ['a', 'b']);
    await createPod(t, 'pending', ['app'], [waiting('app', 'ContainerCreating')]);
    t.node.logText.set('default/web/app', 'one\ntwo\nthree\n');
  });
  after(async () => t?.stop());

  it('kubectl logs prints the container log', async () => {
    const r = await kubectl(t, ['logs', 'web']);
    assert.equal(r.stderr, '');
    assert.equal(r.stdout, 'one\ntwo\nthree\n');
    assert.equal(r.code, 0);
  });

  it('kubectl logs --tail=2 passes tailLines', async () => {
    const r = await kubectl(t, ['logs', 'web', '--tail=2']);
    assert.equal(r.stdout, 'two\nthree\n');
  });

  it('kubectl logs -f streams new lines until kubectl is stopped', async () => {
    const p = startKubectl(t, ['logs', '-f', 'web']);
    let out = '';
    p.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    await eventually('the existing log', () => out === 'one\ntwo\nthree\n');
    t.node.append('four');
    await eventually('a line written after kubectl connected', () => out.endsWith('four\n'));
    t.node.append('five');
    await eventually('another line', () => out.endsWith('four\nfive\n'));
    const closedBefore = t.node.closedFollowers;
    p.kill('SIGINT');
    await eventually('the node stream to be closed once kubectl left', () => t.node.closedFollowers > closedBefore);
  });

  it('passes --since, --timestamps and --limit-bytes on as PodLogOptions', async () => {
    const r = await kubectl(t, ['logs', 'web', '--since=30s', '--timestamps', '--limit-bytes=5']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'one\nt');
    assert.deepEqual(t.node.lastLogOptions, { follow: false, previous: false, timestamps: true, sinceSeconds: 30, limitBytes: 5 });
  });

  it('--previous needs a terminated earlier container, as the kubelet says', async () => {
    const r = await kubectl(t, ['logs', 'web', '--previous']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /previous terminated container "app" in pod "web" not found/);
  });

  it('a pod with several containers needs a container name (raw API)', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/two/log']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /a container name must be specified for pod two, choose one of: \[a b\]/);
  });

  it('an unknown container is a BadRequest with upstream wording', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/web/log?container=nope']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod web/);
    const r2 = await kubectl(t, ['logs', 'web', '-c', 'nope']);
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /container nope is not valid for pod web/);
  });

  it('a container still waiting has no logs yet', async () => {
    const r = await kubectl(t, ['logs', 'pending']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container "app" in pod "pending" is waiting to start: ContainerCreating/);
  });

  it('a missing pod is NotFound', async () => {
    const r = await kubectl(t, ['logs', 'nosuch']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pods "nosuch" not found/);
  });

  it('invalid options are rejected as upstream validates them', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/web/log?tailLines=-1']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0/);
  });
});
