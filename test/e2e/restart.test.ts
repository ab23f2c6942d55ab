// Restarting `kubesvc up` with the same data dir resumes the same cluster: every object, its
// ClusterIP, NodePort and resourceVersion, and no allocation is handed out twice.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startCluster, kubectlOk, kubectl, request, tempDir, type Cluster } from './harness.js';

describe('restart with the same data dir', () => {
  const dataDir = tempDir();
  let c: Cluster | undefined;
  after(async () => {
    await c?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps objects, IPs, ports and resourceVersions, and stops cleanly on SIGTERM', async () => {
    c = await startCluster({ dataDir });
    kubectlOk(c, ['create', 'namespace', 'prod']);
    kubectlOk(c, ['create', 'service', 'nodeport', 'np', '--tcp=80:8080', '--node-port=30080']);
    kubectlOk(c, ['create', 'service', 'clusterip', 'cip', '--tcp=80:8080', '-n', 'prod']);
    kubectlOk(c, ['create', 'service', 'loadbalancer', 'lb', '--tcp=443:8443']);
    // Wait for the LoadBalancer controller's status write, so nothing changes after the snapshot.
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && !JSON.parse(kubectlOk(c, ['get', 'svc', 'lb', '-o', 'json'])).status.loadBalancer.ingress) {
      await new Promise((r) => setTimeout(r, 100));
    }
    const before = JSON.parse(kubectlOk(c, ['get', 'svc', '-A', '-o', 'json'])).items;
    assert.equal(await c.stop(), 0, 'kubesvc exits 0 on SIGTERM');
    assert.equal(existsSync(join(dataDir, 'kubesvc.pid')), false, 'the pid lock is released');

    c = await startCluster({ dataDir, plan: c.plan });
    const after = JSON.parse(kubectlOk(c, ['get', 'svc', '-A', '-o', 'json'])).items;
    const key = (s: any) => `${s.metadata.namespace}/${s.metadata.name}`;
    const pick = (s: any) => ({
      key: key(s),
      uid: s.metadata.uid,
      rv: s.metadata.resourceVersion,
      ip: s.spec.clusterIP,
      nodePorts: (s.spec.ports ?? []).map((p: any) => p.nodePort ?? null),
      ingress: s.status?.loadBalancer?.ingress ?? null,
    });
    assert.deepEqual(after.map(pick).sort((a: any, b: any) => a.key.localeCompare(b.key)), before.map(pick).sort((a: any, b: any) => a.key.localeCompare(b.key)));

    // Watching from before the restart is too old for the new server's cache: 410 as an ERROR event.
    const old = await request(c, 'GET', '/api/v1/namespaces/default/services?watch=1&resourceVersion=1&timeoutSeconds=1');
    assert.equal(old.status, 200);
    const first = JSON.parse(old.body.split('\n')[0]!);
    assert.equal(first.type, 'ERROR');
    assert.equal(first.object.code, 410);
    assert.equal(first.object.reason, 'Expired');

    // Nothing held before the restart is handed out again.
    const dup = kubectl(c, ['create', 'service', 'nodeport', 'np2', '--tcp=80:8080', '--node-port=30080']);
    assert.notEqual(dup.code, 0);
    assert.match(dup.stderr, /provided port is already allocated/);
    const takenIPs = new Set(before.map((s: any) => s.spec.clusterIP));
    for (let i = 0; i < 20; i++) kubectlOk(c, ['create', 'service', 'clusterip', `fresh-${i}`, '--tcp=80:8080']);
    const fresh = JSON.parse(kubectlOk(c, ['get', 'svc', '-o', 'json'])).items.filter((s: any) => s.metadata.name.startsWith('fresh-'));
    assert.equal(fresh.length, 20);
    for (const s of fresh) assert.ok(!takenIPs.has(s.spec.clusterIP), `${s.spec.clusterIP} was handed out twice`);
  });

  it('refuses a second kubesvc on the same data dir with a clear message', async () => {
    const second = await startCluster({ dataDir, timeoutMs: 5000 }).then(
      () => 'started',
      (e: Error) => e.message,
    );
    assert.match(second, /another kubesvc \(pid \d+\) is running with data dir/);
  });
});
