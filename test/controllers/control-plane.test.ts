// The controller manager as `kubesvc up` and `kubesvc server` run it, under leader election on one
// real API server: of two, only the one holding the kube-controller-manager Lease acts; its Service
// networking controllers give a LoadBalancer Service with three pods slices, Endpoints and an
// address, and mirror a selector-less Service's hand-written Endpoints; when the leader stops, the
// standby takes over; a malformed pool fails before the campaign starts.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from '../../src/api/core.js';
import type { EndpointSlice } from '../../src/api/discovery.js';
import { R } from '../../src/client/resources.js';
import type { Lease } from '../../src/api/validation/lease.js';
import { runControllerManager, type Elected } from '../../src/controllers/control-plane.js';
import { PoolParseError } from '../../src/controllers/servicelb/pool.js';
import { createNode, createRunningPod, createService, eventually, startControllerCluster, type ControllerCluster } from './endpointslice/harness.js';

const leaderElection = { leaseDurationMs: 2000, renewDeadlineMs: 1500, retryPeriodMs: 250 };

describe('controller manager under leader election', () => {
  let c: ControllerCluster;
  let first: Elected;
  let second: Elected;

  before(async () => {
    c = await startControllerCluster();
    await createNode(c.client, 'node-1');
    first = runControllerManager(c.client, { workers: 2, leaderElection: { ...leaderElection, identity: 'first' } });
    await eventually(() => first.isLeader());
    second = runControllerManager(c.client, { workers: 2, leaderElection: { ...leaderElection, identity: 'second' } });
  });
  after(async () => {
    await first.stop();
    await second.stop();
    await c.stop();
  });

  it('one leads, as the kube-controller-manager Lease says', async () => {
    const lease = await c.client.get<Lease>(R.leases, 'kube-system', 'kube-controller-manager');
    assert.equal(lease.spec?.holderIdentity, 'first');
    assert.equal(lease.spec?.leaseDurationSeconds, 2);
    assert.equal(second.isLeader(), false);
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

  it('when the leader stops, the standby takes over and its controllers act', async () => {
    await first.stop();
    await eventually(() => second.isLeader(), 3000);
    assert.equal(first.isLeader(), false);
    await createService(c.client, 'after', { selector: { app: 'after' } });
    await createRunningPod(c.client, 'after-1', { app: 'after' }, '127.244.3.9');
    await eventually(async () => {
      const slices = (await c.client.list<EndpointSlice>(R.endpointslices, 'default', { labelSelector: 'kubernetes.io/service-name=after' })).items;
      assert.deepEqual(slices.flatMap((s) => s.endpoints.map((e) => e.addresses[0])), ['127.244.3.9']);
    });
    const lease = await c.client.get<Lease>(R.leases, 'kube-system', 'kube-controller-manager');
    assert.equal(lease.spec?.holderIdentity, 'second');
    assert.equal(lease.spec?.leaseTransitions, 1);
  });

  it('a malformed pool throws before the campaign starts', () => {
    assert.throws(() => runControllerManager(c.client, { lbPool: '127.240.0.0/40' }), PoolParseError);
  });
});
