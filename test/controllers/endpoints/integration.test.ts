// The Endpoints controller against a real API server: what `kubectl get endpoints` shows for a
// Service with three pods, readiness moving addresses to notReadyAddresses, deletion, and
// user-written Endpoints of a selector-less Service left alone.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints } from '../../../src/api/core.js';
import { R } from '../../../src/client/resources.js';
import { EndpointsController } from '../../../src/controllers/endpoints/controller.js';
import { isNotFound } from '../../../src/controllers/common/errors.js';
import {
  createNode,
  createRunningPod,
  createService,
  eventually,
  setPodStatus,
  sleep,
  startControllerCluster,
  clientKinds,
  type ControllerCluster,
} from '../endpointslice/harness.js';

for (const kind of clientKinds) {
  describe(`Endpoints controller over ${kind} (integration)`, () => {
    let c: ControllerCluster;
    let ctrl: EndpointsController;

    before(async () => {
      c = await startControllerCluster(kind);
      await createNode(c.client, 'node-1');
      // An Endpoints object whose Service is gone, left from "before a restart".
      await c.client.create(R.endpoints, 'default', { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'orphan', namespace: 'default' }, subsets: [] });
      ctrl = new EndpointsController(c.client, c.informers, { recorder: { event() {} } });
      c.informers.start();
      ctrl.run(2);
    });
    after(async () => {
      ctrl.stop();
      await c.stop();
    });

    const get = (name: string) => c.client.get<Endpoints>(R.endpoints, 'default', name);

    it('three ready pods: one subset with three addresses and the trigger-time annotation', async () => {
      await createService(c.client, 'web');
      for (let i = 1; i <= 3; i++) await createRunningPod(c.client, `web-${i}`, { app: 'web' }, `127.244.2.${i}`);
      await eventually(async () => {
        const ep = await get('web');
        assert.equal(ep.subsets?.length, 1);
        assert.deepEqual(ep.subsets![0]!.addresses!.map((a) => a.ip), ['127.244.2.1', '127.244.2.2', '127.244.2.3']);
        assert.deepEqual(ep.subsets![0]!.ports, [{ name: 'http', port: 9376, protocol: 'TCP' }]);
        assert.equal(ep.subsets![0]!.addresses![0]!.nodeName, 'node-1');
        assert.equal(ep.subsets![0]!.addresses![0]!.targetRef!.name, 'web-1');
        assert.ok(ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time']);
      });
    });

    it('a pod turning not ready moves to notReadyAddresses', async () => {
      await setPodStatus(c.client, 'web-2', '127.244.2.2', false);
      await eventually(async () => {
        const s = (await get('web')).subsets![0]!;
        assert.deepEqual(s.addresses!.map((a) => a.ip), ['127.244.2.1', '127.244.2.3']);
        assert.deepEqual(s.notReadyAddresses!.map((a) => a.ip), ['127.244.2.2']);
      });
    });

    it('a deleted pod leaves within a second; a terminating one leaves at once', async () => {
      const t0 = Date.now();
      await c.client.delete(R.pods, 'default', 'web-1', { gracePeriodSeconds: 0 });
      await c.client.delete(R.pods, 'default', 'web-3', { gracePeriodSeconds: 30 });
      await eventually(async () => {
        const s = (await get('web')).subsets![0]!;
        assert.equal(s.addresses, undefined);
        assert.deepEqual(s.notReadyAddresses!.map((a) => a.ip), ['127.244.2.2']);
      }, 1000);
      assert.ok(Date.now() - t0 < 1000);
    });

    it('user-written Endpoints of a selector-less Service are kept as written', async () => {
      await createService(c.client, 'external', { selector: null });
      const written = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'external', namespace: 'default' },
        subsets: [{ addresses: [{ ip: '192.168.7.7' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' as const }] }],
      };
      await c.client.create(R.endpoints, 'default', written);
      await sleep(200);
      assert.deepEqual((await get('external')).subsets, written.subsets);
    });

    it('the Endpoints of a deleted Service are deleted, and so are leftovers from before', async () => {
      await c.client.delete(R.services, 'default', 'web');
      await eventually(async () => {
        await assert.rejects(get('web'), (e: unknown) => isNotFound(e));
        await assert.rejects(get('orphan'), (e: unknown) => isNotFound(e));
      });
    });

    it('the API server’s own default/kubernetes Endpoints are untouched', async () => {
      const ep = await get('kubernetes');
      assert.equal(ep.subsets?.[0]?.addresses?.[0]?.ip, '127.0.0.1');
    });
  });
}
