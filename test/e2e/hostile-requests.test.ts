// Issue 10's reproductions against a real `kubesvc up`, as its reporter ran them: each is a 4xx,
// nothing is deleted, and the cluster process (and so every pod) is still there afterwards.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, kubectl, kubectlOk, type Cluster } from './harness.js';
import { rawRequest } from '../support/raw-request.js';

describe('hostile requests against kubesvc up', () => {
  let c: Cluster;
  before(async () => {
    c = await startCluster();
    kubectlOk(c, ['create', 'namespace', 'victim']);
    kubectlOk(c, ['-n', 'victim', 'create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
  });
  after(async () => {
    await c?.destroy();
  });

  function alive(): void {
    assert.equal(c.proc.exitCode, null, `kubesvc exited:\n${c.stderr().slice(-2000)}`);
    assert.equal(c.proc.signalCode, null);
  }

  for (const rv of ['abc', '-5']) {
    it(`kubectl get --raw '...services?watch=1&resourceVersion=${rv}' is a 400 and the cluster keeps running`, async () => {
      const r = kubectl(c, ['get', '--raw', `/api/v1/namespaces/default/services?watch=1&resourceVersion=${rv}`]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /invalid resource version/);
      // the process used to die when the connection closed after the 400
      await new Promise((res) => setTimeout(res, 300));
      alive();
      assert.match(kubectlOk(c, ['get', '--raw', '/readyz']), /^ok/);
    });
  }

  for (const path of ['/api/v1/namespaces/victim/services/..', '/api/v1/namespaces/victim/services/%2E%2E']) {
    it(`DELETE ${path} (--path-as-is) is a 400 and the Namespace victim stays`, async () => {
      const r = await rawRequest(c, 'DELETE', path);
      assert.equal(r.status, 400);
      assert.equal(r.json().message, `Name parameter invalid: "..": may not be '..'`);
      assert.match(kubectlOk(c, ['get', 'namespace', 'victim', '-o', 'jsonpath={.status.phase}']), /^Active$/);
      assert.match(kubectlOk(c, ['-n', 'victim', 'get', 'service', 'web', '-o', 'name']), /service\/web/);
      alive();
    });
  }

  it('a malformed percent-escape is a 400, not a 500', async () => {
    const r = await rawRequest(c, 'GET', '/api/v1/namespaces/victim/services/a%zzb');
    assert.equal(r.status, 400);
    alive();
  });
});
