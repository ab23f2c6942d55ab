// The mirroring controller against a real API server: user-written Endpoints of a selector-less
// Service appear as an EndpointSlice; the API server's own `kubernetes` Endpoints are not mirrored.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../../../src/api/discovery.js';
import { R } from '../../../src/client/resources.js';
import { EndpointSliceMirroringController } from '../../../src/controllers/endpointslicemirroring/controller.js';
import { createService, eventually, sleep, startControllerCluster, clientKinds, type ControllerCluster } from '../endpointslice/harness.js';

for (const kind of clientKinds) {
  describe(`EndpointSlice mirroring controller over ${kind} (integration)`, () => {
    let c: ControllerCluster;
    let ctrl: EndpointSliceMirroringController;

    before(async () => {
      c = await startControllerCluster(kind);
      ctrl = new EndpointSliceMirroringController(c.client, c.informers, { recorder: { event() {} } });
      c.informers.start();
      ctrl.run(1);
    });
    after(async () => {
      ctrl.stop();
      await c.stop();
    });

    const mirrored = async (name: string) =>
      (
        await c.client.list<EndpointSlice>(R.endpointslices, 'default', {
          labelSelector: `kubernetes.io/service-name=${name},endpointslice.kubernetes.io/managed-by=endpointslicemirroring-controller.k8s.io`,
        })
      ).items;

    it('mirrors, follows changes, and removes the slice with the Endpoints', async () => {
      await createService(c.client, 'db', { selector: null, ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] });
      const ep = {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'db', namespace: 'default' },
        subsets: [{ addresses: [{ ip: '192.168.7.7' }], notReadyAddresses: [{ ip: '192.168.7.8' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' as const }] }],
      };
      await c.client.create(R.endpoints, 'default', ep);
      await eventually(async () => {
        const s = await mirrored('db');
        assert.equal(s.length, 1);
        assert.deepEqual(s[0]!.ports, [{ name: 'pg', port: 5432, protocol: 'TCP' }]);
        assert.deepEqual(
          s[0]!.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]),
          [
            ['192.168.7.7', true],
            ['192.168.7.8', false],
          ],
        );
      });
      const name = (await mirrored('db'))[0]!.metadata.name;
      await c.client.patch(R.endpoints, 'default', 'db', 'merge', { subsets: [{ addresses: [{ ip: '192.168.7.9' }], ports: [{ name: 'pg', port: 5432, protocol: 'TCP' }] }] });
      await eventually(async () => {
        const s = await mirrored('db');
        assert.equal(s.length, 1);
        assert.equal(s[0]!.metadata.name, name, 'updated in place');
        assert.deepEqual(s[0]!.endpoints.map((e) => e.addresses[0]), ['192.168.7.9']);
      });
      await c.client.delete(R.endpoints, 'default', 'db');
      await eventually(async () => assert.equal((await mirrored('db')).length, 0));
    });

    it('does not mirror the API server’s `kubernetes` Endpoints (skip-mirror)', async () => {
      await sleep(200);
      assert.equal((await mirrored('kubernetes')).length, 0);
      const all = (await c.client.list<EndpointSlice>(R.endpointslices, 'default', { labelSelector: 'kubernetes.io/service-name=kubernetes' })).items;
      assert.deepEqual(
        all.map((s) => s.metadata.name),
        ['kubernetes'],
      );
    });

    it('does not mirror Endpoints of a Service with a selector', async () => {
      await createService(c.client, 'web');
      await c.client.create(R.endpoints, 'default', {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'web', namespace: 'default' },
        subsets: [{ addresses: [{ ip: '192.168.7.10' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
      });
      await sleep(200);
      assert.equal((await mirrored('web')).length, 0);
    });
  });
}
