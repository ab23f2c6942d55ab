import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.js';
import { R } from '../../src/client/resources.js';
import { startControllerCluster, eventually, type ControllerCluster } from './cluster.js';

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ scheduler: false });
});
after(async () => {
  await c.stop();
});

function service(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { ports: [{ port: 80 }], selector: { app: name } } };
}

function slice(name: string, owners: KubeObject[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name,
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': owners[0]?.metadata.name ?? 'x', 'endpointslice.kubernetes.io/managed-by': 'gc-test' },
      ownerReferences: owners.map((o, i) => ({ apiVersion: 'v1', kind: 'Service', name: o.metadata.name!, uid: o.metadata.uid!, controller: i === 0, blockOwnerDeletion: true })),
    },
    addressType: 'IPv4',
    endpoints: [],
  };
}

const exists = async (name: string) => (await c.client.list(R.endpointslices, 'default')).items.some((s) => s.metadata.name === name);

test('an EndpointSlice goes when its Service is deleted', async () => {
  const svc = await c.client.create(R.services, 'default', service('gc-a'));
  await c.client.create(R.endpointslices, 'default', slice('gc-a-1', [svc]));
  await new Promise((r) => setTimeout(r, 150));
  assert.equal(await exists('gc-a-1'), true, 'kept while its owner lives');
  await c.client.delete(R.services, 'default', 'gc-a');
  await eventually(async () => assert.equal(await exists('gc-a-1'), false));
});

test('an owner recreated under the same name is not the owner: the dependent goes', async () => {
  const svc = await c.client.create(R.services, 'default', service('gc-b'));
  await c.client.delete(R.services, 'default', 'gc-b');
  await c.client.create(R.services, 'default', service('gc-b'));
  await c.client.create(R.endpointslices, 'default', slice('gc-b-1', [svc]));
  await eventually(async () => assert.equal(await exists('gc-b-1'), false));
});

test('with one owner left, only the reference to the gone one is removed', async () => {
  const a = await c.client.create(R.services, 'default', service('gc-c'));
  const b = await c.client.create(R.services, 'default', service('gc-d'));
  await c.client.create(R.endpointslices, 'default', slice('gc-c-1', [a, b]));
  await c.client.delete(R.services, 'default', 'gc-c');
  await eventually(async () => {
    const s = await c.client.get(R.endpointslices, 'default', 'gc-c-1');
    assert.deepEqual(s.metadata.ownerReferences?.map((r) => r.name), ['gc-d']);
  });
});
