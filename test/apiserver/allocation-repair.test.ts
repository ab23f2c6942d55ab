// The ClusterIP and NodePort repair loops on a real API server (SQLite, HTTPS not needed): what a
// Service holds but storage lost is allocated again and reported; what storage holds for no
// Service is released once it stayed unheld for the leak grace (runs); a ClusterIP two Services
// claim is reported on the second. Passes are run by hand so the test needs no timers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/meta.js';
import type { Service } from '../../src/api/core.js';
import { AllocationRepair } from '../../src/apiserver/allocators/repair.js';
import { newContext } from '../../src/apiserver/store/context.js';
import { startTestApiServer, type TestApiServer } from '../support/apiserver.js';

let t: TestApiServer;
let repair: AllocationRepair;
const events: { name: string; type: string; reason: string; message: string }[] = [];

before(async () => {
  t = await startTestApiServer({ prefix: 'kubesvc-repair-' });
  repair = new AllocationRepair(
    t.api.allocations,
    {
      services: () => t.api.store('', 'services'),
      ipaddresses: () => t.api.store('networking.k8s.io', 'ipaddresses'),
      servicecidrs: () => t.api.store('networking.k8s.io', 'servicecidrs'),
    },
    { event: (obj: KubeObject, type, reason, message) => events.push({ name: obj.metadata.name ?? '', type, reason, message }) },
    { intervalMs: 60_000, leakRuns: 2 },
  );
});

after(() => t.stop());

const services = () => t.api.store('', 'services');
const ipaddresses = () => t.api.store('networking.k8s.io', 'ipaddresses');

async function createService(name: string, spec: Service['spec']): Promise<Service> {
  return (await services().create(newContext({ namespace: 'default' }), {
    apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec },
  } as Service)) as Service;
}

test('a leaked ClusterIP and NodePort are released after the grace, not before', async () => {
  await t.api.allocations.clusterIPs.allocate('127.96.200.200', { resource: 'services', namespace: 'default', name: 'never-stored' });
  await t.api.allocations.nodePorts.allocate(32001);
  await repair.runOnce();
  assert.ok(await t.api.allocations.clusterIPs.has('127.96.200.200'), 'kept on the first pass: its create may still be in flight');
  assert.ok(t.api.allocations.nodePorts.has(32001));
  await repair.runOnce();
  assert.ok(!(await t.api.allocations.clusterIPs.has('127.96.200.200')), 'released on the second');
  await t.api.allocations.nodePorts.refresh();
  assert.ok(!t.api.allocations.nodePorts.has(32001));
  assert.deepEqual(events, []);
});

test('what a Service holds but storage lost is allocated again, with an event', async () => {
  const svc = await createService('lost', { type: 'NodePort' });
  const ip = svc.spec.clusterIP!;
  const port = svc.spec.ports![0]!.nodePort!;
  // Lost behind the allocator's back (a bug, a restore from an old backup).
  await ipaddresses().delete(newContext(), undefined, ip, {});
  await t.api.allocations.nodePorts.release(port);
  await repair.runOnce();
  assert.ok(await t.api.allocations.clusterIPs.has(ip));
  assert.equal(t.api.allocations.clusterIPs.find(ip)?.spec?.parentRef?.name, 'lost');
  assert.ok(t.api.allocations.nodePorts.has(port));
  assert.deepEqual(events.splice(0).map((e) => `${e.name} ${e.type} ${e.reason}: ${e.message}`).sort(), [
    `lost Warning ClusterIPNotAllocated: Cluster IP [IPv4]:${ip} is not allocated; repairing`,
    `lost Warning PortNotAllocated: Port ${port} is not allocated; repairing`,
  ]);
  // And a Service created now cannot take them.
  const other = await createService('other', { type: 'NodePort' });
  assert.notEqual(other.spec.clusterIP, ip);
  assert.notEqual(other.spec.ports![0]!.nodePort, port);
});

test('a ClusterIP stored for two Services is reported on the one that does not own it', async () => {
  const owner = await createService('owner', {});
  // Written straight to storage, as only a restore or a bug could.
  const dup = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'dup', namespace: 'default', uid: 'u-dup' }, spec: { ...owner.spec, ports: [{ port: 81, protocol: 'TCP', targetPort: 81 }] } };
  await t.backend.create('/registry/core/services/default/dup', JSON.stringify(dup));
  await repair.runOnce();
  const reported = events.splice(0).map((e) => `${e.name} ${e.reason}`);
  assert.deepEqual(reported, ['dup ClusterIPAlreadyAllocated']);
  assert.equal(t.api.allocations.clusterIPs.find(owner.spec.clusterIP!)?.spec?.parentRef?.name, 'owner', 'the owner keeps its IPAddress');
});

test('the default ServiceCIDR is Ready, and comes back when deleted, with --service-cidr', async () => {
  const cidrs = t.api.store('networking.k8s.io', 'servicecidrs');
  const ready = async () => {
    const sc = (await cidrs.get(undefined, 'kubernetes')).obj as any;
    assert.deepEqual(sc.spec, { cidrs: ['127.96.0.0/16'] });
    const { lastTransitionTime, ...condition } = sc.status.conditions[0];
    assert.deepEqual(condition, { type: 'Ready', status: 'True', reason: '', message: 'Kubernetes default Service CIDR is ready' });
    assert.match(lastTransitionTime, /^\d{4}-\d\d-\d\dT/);
  };
  await ready(); // made at start
  await cidrs.delete(newContext(), undefined, 'kubernetes', {});
  await repair.runOnce();
  await ready();
});
