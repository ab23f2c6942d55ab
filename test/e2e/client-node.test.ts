// @kubernetes/client-node, unchanged, against `kubesvc up`: typed calls, errors and an informer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startCluster, type Cluster } from './harness.js';

describe('@kubernetes/client-node', () => {
  let c: Cluster;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  before(async () => {
    c = await startCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  after(async () => {
    await c?.destroy();
  });

  it('creates, reads and lists Services', async () => {
    const created = await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'cn-svc' }, spec: { selector: { app: 'cn' }, ports: [{ name: 'http', port: 80, targetPort: 'web' as any }] } },
    });
    assert.ok(created.spec!.clusterIP!.startsWith(c.plan.servicePrefix), created.spec!.clusterIP!);
    const got = await core.readNamespacedService({ namespace: 'default', name: 'cn-svc' });
    assert.equal(got.spec!.ports![0]!.targetPort, 'web');
    const list = await core.listServiceForAllNamespaces();
    assert.ok(list.items.some((s) => s.metadata!.name === 'cn-svc'));
    assert.ok(Number(list.metadata!.resourceVersion) > 0);
  });

  it('surfaces 422 with upstream causes as an ApiException', async () => {
    await assert.rejects(
      core.createNamespacedService({
        namespace: 'default',
        body: { metadata: { name: 'cn-bad' }, spec: { ports: [{ name: '-web', port: 80 }] } },
      }),
      (e: any) => {
        assert.equal(e.code, 422);
        const body = typeof e.body === 'string' ? JSON.parse(e.body) : e.body;
        assert.equal(body.details.causes[0].field, 'spec.ports[0].name');
        return true;
      },
    );
  });

  it('scales a Deployment through the scale subresource', async () => {
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'cn-deploy' },
        spec: {
          replicas: 1,
          selector: { matchLabels: { app: 'cn' } },
          template: { metadata: { labels: { app: 'cn' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } },
        },
      },
    });
    const scale = await apps.readNamespacedDeploymentScale({ namespace: 'default', name: 'cn-deploy' });
    assert.equal(scale.spec!.replicas, 1);
    assert.equal(scale.status!.selector, 'app=cn');
    await apps.replaceNamespacedDeploymentScale({
      namespace: 'default',
      name: 'cn-deploy',
      // No resourceVersion: the deployment controller writes status meanwhile, and a pinned one would be a 409.
      body: { ...scale, metadata: { ...scale.metadata, resourceVersion: undefined }, spec: { replicas: 4 } },
    });
    const d = await apps.readNamespacedDeployment({ namespace: 'default', name: 'cn-deploy' });
    assert.equal(d.spec!.replicas, 4);
    assert.equal(d.metadata!.generation, 2);
  });

  it('keeps an informer cache in step with creates, updates and deletes', async () => {
    const path = '/api/v1/namespaces/default/services';
    const informer = k8s.makeInformer(kc, path, () => core.listNamespacedService({ namespace: 'default' }));
    const seen: string[] = [];
    informer.on('add', (o) => seen.push(`add ${o.metadata!.name}`));
    informer.on('update', (o) => seen.push(`update ${o.metadata!.name}`));
    informer.on('delete', (o) => seen.push(`delete ${o.metadata!.name}`));
    await informer.start();
    try {
      await core.createNamespacedService({ namespace: 'default', body: { metadata: { name: 'inf-1' }, spec: { ports: [{ port: 80 }] } } });
      await core.patchNamespacedService(
        { namespace: 'default', name: 'inf-1', body: { metadata: { labels: { seen: 'yes' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedService({ namespace: 'default', name: 'inf-1' });
      const deadline = Date.now() + 5000;
      while (!seen.includes('delete inf-1') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      const mine = seen.filter((s) => s.endsWith('inf-1'));
      assert.deepEqual(mine, ['add inf-1', 'update inf-1', 'delete inf-1']);
      assert.equal(informer.get('inf-1', 'default'), undefined);
      assert.ok(informer.get('kubernetes', 'default'));
    } finally {
      await informer.stop();
    }
  });
});
