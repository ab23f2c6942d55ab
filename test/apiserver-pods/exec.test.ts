// pods/exec through the real kubectl 1.32 (WebSocket, v5.channel.k8s.io): output streams, exit
// codes, stdin with EOF, and upstream's errors.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPod, kubectl, startTestCluster, waiting, type TestCluster } from './fixture.js';

describe('pods/exec', () => {
  let t: TestCluster;
  before(async () => {
    t = await startTestCluster();
    await createPod(t, 'web', ['app']);
    await createPod(t, 'starting', ['app'], [waiting('app', 'ContainerCreating')]);
    await createPod(t, 'unbound', ['app'], undefined, '');
  });
  after(async () => t?.stop());

  it('separates stdout and stderr and reports the exit code', async () => {
    const r = await kubectl(t, ['exec', 'web', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.equal(r.stdout, 'out\n');
    assert.match(r.stderr, /^err\n/);
    assert.match(r.stderr, /command terminated with exit code 3/);
    assert.equal(r.code, 3);
    const req = t.node.execs.at(-1)!;
    assert.deepEqual(req, { namespace: 'default', pod: 'web', container: 'app', command: ['sh', '-c', 'echo out; echo err >&2; exit 3'], stdin: false, tty: false });
  });

  it('a successful command exits 0', async () => {
    const r = await kubectl(t, ['exec', 'web', '--', 'echo', 'hello']);
    assert.equal(r.stdout, 'hello\n');
    assert.equal(r.stderr, '');
    assert.equal(r.code, 0);
  });

  it('passes stdin and its end (kubectl exec -i)', async () => {
    const r = await kubectl(t, ['exec', '-i', 'web', '--', 'sh', '-c', 'cat; echo done'], 'line 1\nline 2\n');
    assert.equal(r.stdout, 'line 1\nline 2\ndone\n');
    assert.equal(r.code, 0);
    assert.equal(t.node.execs.at(-1)!.stdin, true);
  });

  it('carries large output intact', async () => {
    const r = await kubectl(t, ['exec', 'web', '--', 'sh', '-c', 'head -c 3000000 /dev/zero | tr "\\0" x']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout.length, 3_000_000);
    assert.match(r.stdout, /^x+$/);
  });

  it('an unknown container is a BadRequest', async () => {
    const r = await kubectl(t, ['exec', 'web', '-c', 'nope', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod web/);
  });

  it('a container that is not running is not found', async () => {
    const r = await kubectl(t, ['exec', 'starting', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /unable to upgrade connection: container not found \("app"\)/);
  });

  it('a pod without a node has no host assigned', async () => {
    const r = await kubectl(t, ['exec', 'unbound', '--', 'true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /pod unbound does not have a host assigned/);
  });

  it('a plain GET is told an upgrade is required', async () => {
    const r = await kubectl(t, ['get', '--raw', '/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Upgrade request required/);
  });
});
