// The LoadBalancer controller against a real API server: addresses from the loopback pool in
// status (ipMode VIP), requests honoured or refused with a Warning event, other classes left
// alone, release on type change and deletion, and allocations rebuilt after a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Event, Service } from '../../../src/api/core.js';
import { R } from '../../../src/client/resources.js';
import { InformerFactoryImpl } from '../../../src/client/informer.js';
import { ServiceLBController } from '../../../src/controllers/servicelb/controller.js';
import { createService, eventually, sleep, startControllerCluster, clientKinds, type ControllerCluster } from '../endpointslice/harness.js';

for (const kind of clientKinds) {
  describe(`ServiceLB controller over ${kind} (integration)`, () => {
    let c: ControllerCluster;
    let ctrl: ServiceLBController;

    before(async () => {
      c = await startControllerCluster(kind);
      ctrl = new ServiceLBController(c.client, c.informers, { pool: '127.240.0.0/24' });
      c.informers.start();
      ctrl.run(1);
    });
    after(async () => {
      ctrl.stop();
      await c.stop();
    });

    const get = (name: string) => c.client.get<Service>(R.services, 'default', name);
    const ingress = async (name: string) => (await get(name)).status?.loadBalancer?.ingress ?? [];
    const eventsFor = async (name: string) =>
      (await c.client.list<Event>(R.events, 'default')).items.filter((e) => e.involvedObject.name === name && e.involvedObject.kind === 'Service');
    const lb = (name: string, extra: Parameters<typeof createService>[2] = {}) =>
      createService(c.client, name, { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, targetPort: 9376, protocol: 'TCP' }], ...extra });

    it('a LoadBalancer Service gets the first pool address, with events', async () => {
      await lb('lb1');
      await eventually(async () => assert.deepEqual(await ingress('lb1'), [{ ip: '127.240.0.1', ipMode: 'VIP' }]));
      await eventually(async () => {
        const reasons = (await eventsFor('lb1')).map((e) => e.reason);
        for (const r of ['EnsuringLoadBalancer', 'IPAllocated', 'EnsuredLoadBalancer']) assert.ok(reasons.includes(r), `${r} in ${reasons.join(',')}`);
      });
    });

    it('a requested address inside the pool is honoured', async () => {
      await lb('lb2', { loadBalancerIP: '127.240.0.77' });
      await eventually(async () => assert.deepEqual(await ingress('lb2'), [{ ip: '127.240.0.77', ipMode: 'VIP' }]));
    });

    it('a requested address outside the pool stays pending with a Warning event', async () => {
      await lb('outside', { loadBalancerIP: '10.9.9.9' });
      await eventually(async () => {
        const ev = (await eventsFor('outside')).find((e) => e.reason === 'AllocationFailed');
        assert.ok(ev);
        assert.equal(ev.type, 'Warning');
        assert.equal(ev.message, 'Failed to allocate IP for "default/outside": requested IP 10.9.9.9 is not in the LoadBalancer pool 127.240.0.0/24');
      });
      assert.deepEqual(await ingress('outside'), []);
    });

    it('a requested address already taken stays pending, then is given when freed', async () => {
      await lb('taker', { loadBalancerIP: '127.240.0.77' });
      await eventually(async () => {
        const ev = (await eventsFor('taker')).find((e) => e.reason === 'AllocationFailed');
        assert.equal(ev?.message, 'Failed to allocate IP for "default/taker": requested IP 127.240.0.77 is already in use by Service default/lb2');
      });
      assert.deepEqual(await ingress('taker'), []);
      await c.client.delete(R.services, 'default', 'lb2');
      await eventually(async () => assert.deepEqual(await ingress('taker'), [{ ip: '127.240.0.77', ipMode: 'VIP' }]));
    });

    it('Services of another loadBalancerClass are left alone', async () => {
      await lb('metal', { loadBalancerClass: 'metallb.io/metallb' });
      await sleep(200);
      assert.deepEqual(await ingress('metal'), []);
    });

    it('a type change away from LoadBalancer clears the status and frees the address', async () => {
      await lb('changer');
      await eventually(async () => assert.deepEqual(await ingress('changer'), [{ ip: '127.240.0.2', ipMode: 'VIP' }]));
      await c.client.patch(R.services, 'default', 'changer', 'merge', { spec: { type: 'ClusterIP', allocateLoadBalancerNodePorts: null, ports: [{ name: 'http', port: 80, targetPort: 9376, protocol: 'TCP' }] } });
      await eventually(async () => assert.deepEqual(await ingress('changer'), []));
      await lb('next');
      await eventually(async () => assert.deepEqual(await ingress('next'), [{ ip: '127.240.0.2', ipMode: 'VIP' }]));
    });

    it('after a restart every Service keeps its address and none is handed out twice', async () => {
      ctrl.stop();
      c.informers.stop();
      const informers = new InformerFactoryImpl(c.client);
      const again = new ServiceLBController(c.client, informers, { pool: '127.240.0.0/24' });
      informers.start();
      again.run(1);
      try {
        await lb('after-restart');
        await eventually(async () => assert.deepEqual(await ingress('after-restart'), [{ ip: '127.240.0.3', ipMode: 'VIP' }]));
        assert.deepEqual(await ingress('lb1'), [{ ip: '127.240.0.1', ipMode: 'VIP' }]);
        assert.deepEqual(await ingress('next'), [{ ip: '127.240.0.2', ipMode: 'VIP' }]);
        assert.deepEqual(await ingress('taker'), [{ ip: '127.240.0.77', ipMode: 'VIP' }]);
        assert.equal(again.allocator.holder('127.240.0.77'), 'default/taker');
      } finally {
        again.stop();
        informers.stop();
      }
    });
  });
}
