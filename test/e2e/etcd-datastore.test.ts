// `kubesvc up --datastore etcd://...` against Debian's etcd-server: the same API, with the cluster's
// state in etcd, surviving a restart of kubesvc.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectlOk, tempDir, type Cluster } from './harness.js';
import { EtcdServer, findEtcd } from '../storage/etcd-server.js';

const etcdBinary = findEtcd();

describe('etcd datastore', { skip: etcdBinary ? false : 'etcd is not installed (apt-get install etcd-server)' }, () => {
  const dir = tempDir();
  let etcd: EtcdServer;
  let c: Cluster | undefined;
  before(async () => {
    etcd = await EtcdServer.start(etcdBinary!, join(dir, 'etcd'));
  });
  after(async () => {
    await c?.stop();
    await etcd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves kubectl from etcd and keeps everything across a restart', async () => {
    const args = ['--datastore', `etcd://${etcd.endpoint}`];
    c = await startCluster({ dataDir: join(dir, 'kubesvc'), args });
    kubectlOk(c, ['create', 'namespace', 'prod']);
    kubectlOk(c, ['create', 'service', 'nodeport', 'web', '--tcp=3000:443', '--node-port=30080', '-n', 'prod']);
    const before = JSON.parse(kubectlOk(c, ['get', 'svc', 'web', '-n', 'prod', '-o', 'json']));
    assert.equal(before.spec.ports[0].nodePort, 30080);
    assert.equal(await c.stop(), 0);

    c = await startCluster({ dataDir: join(dir, 'kubesvc'), args, plan: c.plan });
    const after = JSON.parse(kubectlOk(c, ['get', 'svc', 'web', '-n', 'prod', '-o', 'json']));
    assert.equal(after.metadata.uid, before.metadata.uid);
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
    assert.equal(after.spec.clusterIP, before.spec.clusterIP);
    assert.match(kubectlOk(c, ['get', 'ns']), /prod\s+Active/);
  });
});
