// All four Service networking controllers started together, as `kubesvc up` runs them: a
// LoadBalancer Service with three pods gets slices, Endpoints and an address; a selector-less
// Service's hand-written Endpoints are mirrored; a malformed pool fails before anything starts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from '../../../src/api/core.js';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { R } from '../../../src/client/resources.js';
import { startServiceControllers } from '../../../src/controllers/endpointslice/start.js';
import { PoolParseError } from '../../../src/controllers/servicelb/pool.js';
import { createNode, createRunningPod, createService, eventually, startControllerCluster, type ControllerCluster } from './harness.js';

describe('startServiceControllers', () => {
  let c: ControllerCluster;
  let ctrls: { stop(): void };

  before(async () => {
    c = await startControllerCluster();
    await createNode(c.client, 'node-1');
    ctrls = startServiceControllers(c.client, c.informers, { workers: 2 });
    c.informers.start();
  });
  after(async () => {
    ctrls.stop();
    await c.stop();
  });

  it('a LoadBalancer Service with three pods: slices, Endpoints and an address', async () => {
    await createService(c.client, 'shop', { type: 'LoadBalancer' });
    for (let i = 1; i <= 3; i++) await createRunningPod(c.client, `shop-${i}`, { app: 'shop' }, `127.244.3.${i}`);
    await eventually(async () => {
      const slices = (await c.client.list<EndpointSlice>(R.endpointslices, 'default', { labelSelector: 'kubernetes.io/service-name=shop' })).items;
      assert.equal(slices.length, 1);
      assert.equal(slices[0]!.endpoints.length, 3);
      const ep = await c.client.get<Endpoints>(R.endpoints, 'default', 'shop');
      assert.equal(ep.subsets?.[0]?.addresses?.length, 3);
      const svc = await c.client.get<Service>(R.services, 'default', 'shop');
      assert.deepEqual(svc.status?.loadBalancer?.ingress, [{ ip: '127.240.0.1', ipMode: 'VIP' }]);
    });
  });

  it('hand-written Endpoints of a selector-less Service are mirrored', async () => {
    await createService(c.client, 'legacy', { selector: null });
    await c.client.create(R.endpoints, 'default', {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: 'legacy', namespace: 'default' },
      subsets: [{ addresses: [{ ip: '127.0.0.9' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
    });
    await eventually(async () => {
      const slices = (await c.client.list<EndpointSlice>(R.endpointslices, 'default', { labelSelector: 'kubernetes.io/service-name=legacy' })).items;
      assert.equal(slices.length, 1);
      assert.equal(slices[0]!.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
      assert.deepEqual(slices[0]!.endpoints.map((e) => e.addresses[0]), ['127.0.0.9']);
    });
  });

  it('a malformed pool throws before anything starts', () => {
    assert.throws(() => startServiceControllers(c.client, c.informers, { lbPool: '127.240.0.0/40' }), PoolParseError);
  });
});
