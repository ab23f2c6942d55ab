// The EndpointSlice controller against a real API server: a Service and three pods become one
// slice with three endpoints; readiness, termination and deletion show up in it promptly.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { R } from '../../../src/client/resources.js';
import { EndpointSliceController } from '../../../src/controllers/endpointslice/controller.js';
import { createNode, createRunningPod, createService, eventually, setPodStatus, startControllerCluster, clientKinds, type ControllerCluster } from './harness.js';

for (const kind of clientKinds) {
  describe(`EndpointSlice controller over ${kind} (integration)`, () => {
    let c: ControllerCluster;
    let ctrl: EndpointSliceController;

    before(async () => {
      c = await startControllerCluster(kind);
      await createNode(c.client, 'node-1');
      ctrl = new EndpointSliceController(c.client, c.informers, { recorder: { event() {} } });
      c.informers.start();
      ctrl.run(2);
    });
    after(async () => {
      ctrl.stop();
      await c.stop();
    });

    const slicesOf = async (svc: string) =>
      (await c.client.list<EndpointSlice>(R.endpointslices, 'default', { labelSelector: `kubernetes.io/service-name=${svc}` })).items;

    it('a Service with three ready pods gets one slice with three ready endpoints', async () => {
      await createService(c.client, 'web');
      for (let i = 1; i <= 3; i++) await createRunningPod(c.client, `web-${i}`, { app: 'web' }, `127.244.1.${i}`);
      await eventually(async () => {
        const slices = await slicesOf('web');
        assert.equal(slices.length, 1);
        const s = slices[0]!;
        assert.equal(s.metadata.name!.startsWith('web-'), true);
        assert.equal(s.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
        assert.equal(s.metadata.ownerReferences![0]!.kind, 'Service');
        assert.deepEqual(s.ports, [{ name: 'http', port: 9376, protocol: 'TCP' }]);
        assert.deepEqual(s.endpoints.map((e) => e.addresses[0]).sort(), ['127.244.1.1', '127.244.1.2', '127.244.1.3']);
        for (const e of s.endpoints) {
          assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
          assert.equal(e.nodeName, 'node-1');
          assert.equal(e.targetRef!.kind, 'Pod');
        }
        assert.ok(s.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time']);
      });
    });

    it('a pod turning not ready is updated in place to ready=false', async () => {
      const before = (await slicesOf('web'))[0]!;
      await setPodStatus(c.client, 'web-2', '127.244.1.2', false);
      await eventually(async () => {
        const slices = await slicesOf('web');
        assert.equal(slices.length, 1);
        assert.equal(slices[0]!.metadata.name, before.metadata.name, 'same slice');
        const ep = slices[0]!.endpoints.find((e) => e.addresses[0] === '127.244.1.2')!;
        assert.deepEqual(ep.conditions, { ready: false, serving: false, terminating: false });
      });
    });

    it('a terminating pod is ready=false terminating=true; a deleted pod leaves within a second', async () => {
      await c.client.delete(R.pods, 'default', 'web-3', { gracePeriodSeconds: 30 });
      await eventually(async () => {
        const ep = (await slicesOf('web'))[0]!.endpoints.find((e) => e.addresses[0] === '127.244.1.3')!;
        assert.deepEqual(ep.conditions, { ready: false, serving: true, terminating: true });
      });
      const t0 = Date.now();
      await c.client.delete(R.pods, 'default', 'web-1', { gracePeriodSeconds: 0 });
      await eventually(async () => {
        const ips = (await slicesOf('web'))[0]!.endpoints.map((e) => e.addresses[0]);
        assert.ok(!ips.includes('127.244.1.1'));
      }, 1000);
      assert.ok(Date.now() - t0 < 1000, `took ${Date.now() - t0} ms`);
      // The deletion is the trigger kube-proxy measures network programming latency from.
      const trigger = Date.parse((await slicesOf('web'))[0]!.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time']!);
      assert.ok(trigger >= t0 && trigger <= Date.now(), `trigger time ${new Date(trigger).toISOString()} after the delete at ${new Date(t0).toISOString()}`);
    });

    it('a slice deleted by someone else is written again', async () => {
      const [slice] = await slicesOf('web');
      await c.client.delete(R.endpointslices, 'default', slice!.metadata.name!);
      await eventually(async () => {
        const slices = await slicesOf('web');
        assert.equal(slices.length, 1);
        assert.notEqual(slices[0]!.metadata.name, slice!.metadata.name);
        assert.deepEqual(slices[0]!.endpoints.map((e) => e.addresses[0]).sort(), slice!.endpoints.map((e) => e.addresses[0]).sort());
      }, 3000);
    });

    it('a Service without pods gets an empty placeholder slice; deleting the Service removes its slices', async () => {
      await createService(c.client, 'lonely');
      await eventually(async () => {
        const slices = await slicesOf('lonely');
        assert.equal(slices.length, 1);
        assert.deepEqual(slices[0]!.endpoints ?? [], []);
      });
      await c.client.delete(R.services, 'default', 'lonely');
      await eventually(async () => assert.equal((await slicesOf('lonely')).length, 0));
    });

    it('a Service without a selector gets no slices from this controller', async () => {
      await createService(c.client, 'manual', { selector: null });
      await new Promise((r) => setTimeout(r, 200));
      assert.equal((await slicesOf('manual')).length, 0);
    });
  });
}
